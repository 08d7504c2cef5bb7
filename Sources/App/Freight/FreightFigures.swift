import Domain
import Fluent
import Vapor

/// What a train carries (the manifest) and what left the district (the monthly figures).
enum FreightFigures {
    // MARK: Manifest

    struct ManifestRow: Content {
        let bookingNumber: String
        let shipper: String
        /// Empty while the shipper has not given it.
        let containerNumber: String
        let type: ContainerType
        let sealNumber: String
        let grossWeightKg: Int
        let cargo: String
        let hsCodes: String
        /// The booking's cargo value shared evenly over its containers (the remainder on the
        /// first), so that the column adds up to the cargo's value.
        let valueFen: Int
        let consignee: String
        let destination: String
        let customsStatus: CustomsStatus
        let gatedIn: Bool
    }

    struct Totals: Content {
        let feu: Double
        let teu: Int
        let containers: Int
        let grossWeightKg: Int
        let valueFen: Int
        let shippers: Int
    }

    struct Manifest: Content {
        let departure: DepartureDTO
        let rows: [ManifestRow]
        let totals: Totals
    }

    /// Every container on the train's confirmed (or later) bookings, in booking order.
    static func manifest(_ ctx: ServiceContext, _ departure: TrainDeparture) async throws -> Manifest {
        let id = try departure.requireID()
        let bookings = try await ContainerBooking.query(on: ctx.db).filter(\.$departure.$id == id)
            .filter(\.$state ~~ [.confirmed, .loaded, .departed, .arrived]).with(\.$enterprise).sort(\.$sequence).all()
        let containers = Dictionary(grouping: try await FreightContainer.query(on: ctx.db).filter(\.$departureID == id).all(), by: \.bookingID)
        var rows: [ManifestRow] = []
        for booking in bookings {
            let entered = (containers[booking.id!] ?? []).sorted { $0.number < $1.number }
            var slots: [(number: String, type: ContainerType, seal: String, weight: Int?, gatedIn: Bool)] =
                entered.map { ($0.number, $0.type, $0.sealNumber, $0.grossWeightKg, $0.gatedInAt != nil) }
            // Containers not yet named keep their place, by type.
            for line in booking.containers {
                let named = entered.filter { $0.type == line.type }.count
                if named < line.count { slots += Array(repeating: ("", line.type, "", nil, false), count: line.count - named) }
            }
            let count = max(1, slots.count)
            let unnamedWeight = booking.grossWeightKg / count
            for (index, slot) in slots.enumerated() {
                let value = booking.valueFen / count + (index == 0 ? booking.valueFen % count : 0)
                rows.append(ManifestRow(
                    bookingNumber: booking.number, shipper: booking.enterprise.name, containerNumber: slot.number, type: slot.type,
                    sealNumber: slot.seal, grossWeightKg: slot.weight ?? unnamedWeight,
                    cargo: booking.commodities.map(\.description).joined(separator: "; "),
                    hsCodes: booking.commodities.map(\.hsCode).joined(separator: " "), valueFen: value,
                    consignee: "\(booking.consigneeName), \(booking.consigneeCountry)", destination: booking.destination,
                    customsStatus: booking.customsStatus, gatedIn: slot.gatedIn))
            }
        }
        let halves = bookings.reduce(0) { $0 + $1.halves }
        let totals = Totals(feu: FEU.number(halves: halves), teu: FEU.teu(halves: halves), containers: rows.count,
                            grossWeightKg: rows.reduce(0) { $0 + $1.grossWeightKg }, valueFen: rows.reduce(0) { $0 + $1.valueFen },
                            shippers: Set(bookings.map(\.$enterprise.id)).count)
        return Manifest(departure: try await DepartureDTO(departure, now: ctx.now, db: ctx.db),
                        rows: rows, totals: totals)
    }

    /// The manifest as CSV that Excel opens (UTF-8 with a BOM), money in yuan.
    static func csv(_ manifest: Manifest, trainNumber: String, _ t: (String) -> String) -> Response {
        let header = ["freight.manifest.booking", "freight.manifest.shipper", "freight.manifest.container", "freight.manifest.type",
                      "freight.manifest.seal", "freight.manifest.weight", "freight.manifest.cargo", "freight.manifest.hs",
                      "freight.manifest.valueYuan", "freight.manifest.consignee", "freight.manifest.destination",
                      "freight.manifest.customs"].map(t)
        var lines = [header.map(CSV.field).joined(separator: ",")]
        for row in manifest.rows {
            lines.append([row.bookingNumber, row.shipper, row.containerNumber, row.type.rawValue, row.sealNumber,
                          String(row.grossWeightKg), row.cargo, row.hsCodes, Yuan.text(fen: row.valueFen).replacingOccurrences(of: ",", with: ""),
                          row.consignee, row.destination, t(row.customsStatus.nameKey)].map(CSV.field).joined(separator: ","))
        }
        let totals = manifest.totals
        lines.append([t("freight.manifest.total"), "\(totals.shippers)", "\(totals.containers)", "\(FEU.text(halves: totals.teu)) FEU", "",
                      String(totals.grossWeightKg), "", "", Yuan.text(fen: totals.valueFen).replacingOccurrences(of: ",", with: ""), "", "", ""]
            .map(CSV.field).joined(separator: ","))
        return CSV.response(lines, filename: "manifest-\(trainNumber).csv")
    }

    // MARK: District figures

    struct Month: Content {
        let month: String
        var trains = 0
        var feu = 0.0
        var valueFen = 0
        var shippers = 0
    }

    struct Chapter: Content {
        let chapter: String
        var valueFen = 0
        var grossWeightKg = 0
    }

    struct Report: Content {
        let from: String
        let to: String
        let months: [Month]
        let byChapter: [Chapter]
        let totals: Month
    }

    /// Trains that left (departed or arrived) in the range, by month of departure, with what
    /// they carried: FEU, cargo value, shippers; and the cargo by HS chapter.
    static func report(_ db: any Database, from: CivilDate, to: CivilDate) async throws -> Report {
        let departures = try await TrainDeparture.query(on: db).filter(\.$departsAt >= from.start)
            .filter(\.$departsAt < to.adding(days: 1).start).filter(\.$storedState ~~ [.departed, .arrived]).all()
        let month = { (date: Date) -> String in String(CivilDate(date).iso.prefix(7)) }
        var months: [String: Month] = [:]
        var first = CivilDate(year: from.year, month: from.month, day: 1)!
        while !(to < first) {
            months[String(first.iso.prefix(7))] = Month(month: String(first.iso.prefix(7)))
            first = first.month == 12 ? CivilDate(year: first.year + 1, month: 1, day: 1)! : CivilDate(year: first.year, month: first.month + 1, day: 1)!
        }
        var shippers: [String: Set<UUID>] = [:]
        var allShippers: Set<UUID> = []
        var chapters: [String: Chapter] = [:]
        let byID = Dictionary(uniqueKeysWithValues: departures.map { ($0.id!, $0) })
        let bookings = departures.isEmpty ? [] : try await ContainerBooking.query(on: db).filter(\.$departure.$id ~~ Array(byID.keys))
            .filter(\.$state ~~ [.departed, .arrived]).all()
        for departure in departures { months[month(departure.departsAt), default: Month(month: month(departure.departsAt))].trains += 1 }
        for booking in bookings {
            guard let departure = byID[booking.$departure.id] else { continue }
            let key = month(departure.departsAt)
            months[key]!.feu += FEU.number(halves: booking.halves)
            months[key]!.valueFen += booking.valueFen
            shippers[key, default: []].insert(booking.$enterprise.id)
            allShippers.insert(booking.$enterprise.id)
            for line in booking.commodities {
                let chapter = HSCode.chapter(line.hsCode)
                chapters[chapter, default: Chapter(chapter: chapter)].valueFen += line.valueFen
                chapters[chapter]!.grossWeightKg += line.grossWeightKg
            }
        }
        for (key, set) in shippers { months[key]?.shippers = set.count }
        let sorted = months.values.sorted { $0.month < $1.month }
        var totals = Month(month: "total")
        for row in sorted { totals.trains += row.trains; totals.feu += row.feu; totals.valueFen += row.valueFen }
        totals.shippers = allShippers.count
        return Report(from: from.iso, to: to.iso, months: sorted, byChapter: chapters.values.sorted { $0.valueFen > $1.valueFen },
                      totals: totals)
    }
}
