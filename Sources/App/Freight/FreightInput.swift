import Domain
import Vapor

/// What the freight routes receive (JSON from the API; the pages build the same shapes from
/// their forms), and how each becomes a service command: the checks that need no database.
enum FreightInput {
    struct Containers: Content {
        var type: String?
        var count: Int?
    }

    struct Departure: Content {
        var trainNumber: String?
        var direction: String?
        var origin: String?
        var destination: String?
        var departsAt: Date?
        var bookingCutoffAt: Date?
        var gateInCutoffAt: Date?
        var customsCutoffAt: Date?
        var capacityFeu: Int?
        var autoConfirm: Bool?
        /// PATCH only.
        var eta: Date?

        /// A new departure: everything required, checked together.
        func command() throws -> FreightService.NewDeparture {
            var errors = FieldErrors()
            let number = FormText.required(trainNumber, field: "trainNumber", maxLength: 20, into: &errors).uppercased()
            if !number.isEmpty, !number.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
                errors.add("trainNumber", "error.freight.trainNumber")
            }
            let direction = TrainDirection(rawValue: FormText.trimmed(self.direction))
            if direction == nil { errors.add("direction", FormText.choiceError(self.direction)) }
            let origin = FormText.required(origin, field: "origin", maxLength: 10, into: &errors).uppercased()
            let destination = FormText.required(destination, field: "destination", maxLength: 10, into: &errors).uppercased()
            if !origin.isEmpty, origin == destination { errors.add("destination", "error.freight.sameStation") }
            for (field, value) in [("departsAt", departsAt), ("bookingCutoffAt", bookingCutoffAt), ("gateInCutoffAt", gateInCutoffAt),
                                   ("customsCutoffAt", customsCutoffAt)] where value == nil {
                errors.add(field, "error.required")
            }
            if let capacityFeu {
                if !(1...FreightService.maxCapacityFeu).contains(capacityFeu) {
                    errors.add("capacityFeu", "error.freight.capacity", arguments: [String(FreightService.maxCapacityFeu)])
                }
            } else {
                errors.add("capacityFeu", "error.required")
            }
            if let departsAt, let bookingCutoffAt, let gateInCutoffAt, let customsCutoffAt {
                Cutoffs.check(departsAt: departsAt, booking: bookingCutoffAt, gateIn: gateInCutoffAt, customs: customsCutoffAt, into: &errors)
            }
            guard let direction, let departsAt, let bookingCutoffAt, let gateInCutoffAt, let customsCutoffAt, let capacityFeu,
                  errors.isEmpty
            else { throw errors }
            return .init(trainNumber: number, direction: direction, origin: origin, destination: destination, departsAt: departsAt,
                         bookingCutoffAt: bookingCutoffAt, gateInCutoffAt: gateInCutoffAt, customsCutoffAt: customsCutoffAt,
                         capacityHalves: capacityFeu * 2, autoConfirm: autoConfirm ?? true)
        }
    }

    struct Cancel: Content {
        var reason: String?
        var moveTo: UUID?
    }

    struct Milestone: Content {
        var kind: String?
        var place: String?
        var at: Date?
        var eta: Date?

        func command(now: Date) throws -> FreightService.Milestone {
            var errors = FieldErrors()
            let kind = DepartureEventKind(rawValue: FormText.trimmed(self.kind))
            if kind == nil { errors.add("kind", FormText.choiceError(self.kind)) }
            let place = FormText.required(place, field: "place", maxLength: 100, into: &errors)
            let at = at ?? now
            // A milestone is what happened: not more than an hour ahead of the clock.
            if at > now.addingTimeInterval(3600) { errors.add("at", "error.freight.future") }
            if let eta, eta < at { errors.add("eta", "error.freight.etaBefore") }
            guard let kind, errors.isEmpty else { throw errors }
            return .init(kind: kind, place: place, at: at, eta: eta)
        }
    }

    struct Quote: Content {
        var departureId: UUID?
        var containers: [Containers]?
        var customsBrokerage: Bool?
        /// The port quoting for an enterprise.
        var enterpriseId: UUID?
    }

    struct CommodityLine: Content {
        var description: String?
        var hsCode: String?
        var packages: Int?
        var grossWeightKg: Int?
        var valueFen: Int?
    }

    struct Consignee: Content {
        var name: String?
        var country: String?
        var address: String?
    }

    struct Booking: Content {
        var departureId: UUID?
        var containers: [Containers]?
        var commodities: [CommodityLine]?
        var consignee: Consignee?
        var destination: String?
        var customsBrokerage: Bool?

        static let maxCommodities = 50
        /// A booking's cargo value may not pass ten billion yuan.
        static let maxValueFen = 1_000_000_000_000

        func command() throws -> FreightService.NewBooking {
            var errors = FieldErrors()
            if departureId == nil { errors.add("departureId", "error.required") }
            let containers = ContainerRequest.check((self.containers ?? []).map { ($0.type, $0.count) }, into: &errors)
            let lines = commodities ?? []
            if lines.isEmpty { errors.add("commodities", "error.required") }
            if lines.count > Self.maxCommodities { errors.add("commodities", "error.freight.tooMany", arguments: [String(Self.maxCommodities)]) }
            var cargo: [Commodity] = []
            for (index, line) in lines.prefix(Self.maxCommodities).enumerated() {
                let field = "commodities[\(index)]"
                let description = FormText.required(line.description, field: "\(field).description", maxLength: 200, into: &errors)
                let hs = HSCode.normalized(FormText.trimmed(line.hsCode))
                if hs.isEmpty { errors.add("\(field).hsCode", "error.required") } else if !HSCode.isValid(hs) { errors.add("\(field).hsCode", "error.freight.hsCode") }
                func positive(_ value: Int?, _ name: String, max: Int) -> Int {
                    guard let value else { errors.add("\(field).\(name)", "error.required"); return 0 }
                    if value < 1 || value > max { errors.add("\(field).\(name)", "error.freight.positive") }
                    return value
                }
                let packages = positive(line.packages, "packages", max: 1_000_000)
                let weight = positive(line.grossWeightKg, "grossWeightKg", max: 10_000_000)
                let value = positive(line.valueFen, "valueFen", max: Self.maxValueFen)
                cargo.append(Commodity(description: description, hsCode: hs, packages: packages, grossWeightKg: weight, valueFen: value))
            }
            if cargo.reduce(0, { $0 + $1.valueFen }) > Self.maxValueFen { errors.add("commodities", "error.freight.tooValuable") }
            let name = FormText.required(consignee?.name, field: "consignee.name", maxLength: 200, into: &errors)
            let country = FormText.required(consignee?.country, field: "consignee.country", maxLength: 100, into: &errors).uppercased()
            if !country.isEmpty, !(country.count == 2 && country.allSatisfy({ $0.isASCII && $0.isLetter })) {
                errors.add("consignee.country", "error.freight.country")
            }
            let address = FormText.required(consignee?.address, field: "consignee.address", maxLength: 500, into: &errors)
            let destination = FormText.trimmed(destination).uppercased()
            if destination.count > 10 { errors.add("destination", "error.choice") }
            guard let departureId, errors.isEmpty else { throw errors }
            return .init(departureID: departureId, containers: containers, commodities: cargo, consigneeName: name,
                         consigneeCountry: country, consigneeAddress: address, destination: destination.isEmpty ? nil : destination,
                         customsBrokerage: customsBrokerage ?? false)
        }
    }

    struct Reason: Content {
        var reason: String?

        func required() throws -> String {
            var errors = FieldErrors()
            let text = FormText.required(reason, field: "reason", maxLength: 500, into: &errors)
            try errors.throwIfAny()
            return text
        }
    }

    struct ContainerEntry: Content {
        var number: String?
        var type: String?
        var sealNumber: String?
        var grossWeightKg: Int?
    }

    struct GateIn: Content {
        /// The containers let in; all the booking's when empty.
        var numbers: [String]?
    }

    struct Customs: Content {
        var status: String?
        var declarationNumber: String?
        var reason: String?

        func command() throws -> FreightService.CustomsStep {
            var errors = FieldErrors()
            let status = CustomsStatus(rawValue: FormText.trimmed(self.status))
            if status == nil || status == CustomsStatus.none {
                errors.add("status", FormText.choiceError(self.status))
            }
            let number = FormText.trimmed(declarationNumber).filter { $0 != " " }
            if status == .declared {
                if number.isEmpty { errors.add("declarationNumber", "error.required") } else if !DeclarationNumber.isValid(number) {
                    errors.add("declarationNumber", "error.freight.declarationNumber")
                }
            }
            let reason = FormText.trimmed(self.reason)
            if status == .held, reason.isEmpty { errors.add("reason", "error.required") }
            if reason.unicodeScalars.count > 500 { errors.add("reason", "error.tooLong") }
            guard let status, errors.isEmpty else { throw errors }
            return .init(status: status, declarationNumber: number.isEmpty ? nil : number, reason: reason.isEmpty ? nil : reason)
        }
    }

    struct Station: Content {
        var code: String?
        var name: String?
        var nameEn: String?
        var country: String?
    }

    struct Fees: Content {
        var freightPerFeuFen: Int?
        var freightPerTwentyFen: Int?
        var brokeragePerDeclarationFen: Int?
        var liftingPerContainerFen: Int?
        var movingPerContainerFen: Int?
        var maxGrossKg: [String: Int]?
    }

    struct Policy: Content {
        var name: String?
        var item: String?
        var discountKind: String?
        var amount: Int?
        var validFrom: String?
        var validTo: String?
        var scope: String?
        var scopeValue: String?
        var active: Bool?
    }
}
