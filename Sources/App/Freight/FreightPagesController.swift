import Domain
import Fluent
import Vapor

/// The freight pages: the port's calendar and queues, the enterprise's departures and
/// bookings, customs' queue, fees and policies, manifest and figures. Forms post here and call
/// the same service as the API; a mistake shows the form again with what was typed.
enum FreightPagesController {
    // MARK: View models

    /// A form field, built here so that every freight form shows its label, value, hint and error alike.
    struct Field: Encodable {
        let name: String
        let label: String
        var value: String = ""
        var type: String = "text"
        var inputmode: String?
        var hint: String?
        var error: String?
        var options: [SelectOption] = []
        var isSelect: Bool { !options.isEmpty }
        var checked = false

        enum CodingKeys: String, CodingKey { case name, label, value, type, inputmode, hint, error, options, isSelect, checked }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name); try c.encode(label, forKey: .label); try c.encode(value, forKey: .value)
            try c.encode(type, forKey: .type); try c.encodeIfPresent(inputmode, forKey: .inputmode); try c.encodeIfPresent(hint, forKey: .hint)
            try c.encodeIfPresent(error, forKey: .error); try c.encode(options, forKey: .options); try c.encode(isSelect, forKey: .isSelect)
            try c.encode(checked, forKey: .checked)
        }
    }

    struct DepartureRow: Encodable {
        let id: UUID
        let trainNumber: String
        let direction: String
        let route: String
        let departsAt: String
        let bookingCutoff: String
        let gateInCutoff: String
        let customsCutoff: String
        let state: String
        let stateName: String
        let capacity: String
        let booked: String
        let remaining: String
        let waitlist: String
        /// Booked share of the room, 0–100, for the capacity bar.
        let percent: Int
        let isOpen: Bool
        let eta: String
        let cancelReason: String?
        let autoConfirm: Bool
    }

    struct BookingRow: Encodable {
        let id: UUID
        let number: String
        let trainNumber: String
        let shipper: String
        let containers: String
        let feu: String
        let state: String
        let stateName: String
        let customsName: String
        let total: String
        let createdAt: String
        let customsCutoff: String
    }

    struct Step: Encodable {
        let at: String
        let label: String
        let detail: String?
        let by: String?
        let isMilestone: Bool
    }

    static func stationNames(_ req: Request) async throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try await FreightService.stations(req.db).map { ($0.code, $0.name(in: req.language)) })
    }

    static func row(_ req: Request, _ departure: TrainDeparture, stations: [String: String]) -> DepartureRow {
        let state = departure.state(at: req.now)
        return DepartureRow(
            id: departure.id!, trainNumber: departure.trainNumber, direction: req.t(departure.direction.nameKey),
            route: "\(stations[departure.origin] ?? departure.origin) → \(stations[departure.destination] ?? departure.destination)",
            departsAt: DisplayFormat.dateTime(departure.departsAt), bookingCutoff: DisplayFormat.dateTime(departure.bookingCutoffAt),
            gateInCutoff: DisplayFormat.dateTime(departure.gateInCutoffAt), customsCutoff: DisplayFormat.dateTime(departure.customsCutoffAt),
            state: state.rawValue, stateName: req.t(state.nameKey), capacity: FEU.text(halves: departure.capacityHalves),
            booked: FEU.text(halves: departure.bookedHalves), remaining: FEU.text(halves: departure.remainingHalves),
            waitlist: FEU.text(halves: departure.waitlistHalves),
            percent: min(100, departure.bookedHalves * 100 / max(1, departure.capacityHalves)), isOpen: state == .open,
            eta: DisplayFormat.dateTime(departure.eta), cancelReason: departure.cancelReason, autoConfirm: departure.autoConfirm)
    }

    static func row(_ req: Request, _ booking: ContainerBooking) -> BookingRow {
        BookingRow(
            id: booking.id!, number: booking.number, trainNumber: booking.$departure.value?.trainNumber ?? "",
            shipper: booking.$enterprise.value?.name ?? "", containers: FreightService.containerSummary(booking.requests),
            feu: FEU.text(halves: booking.halves), state: booking.state.rawValue, stateName: req.t(booking.state.nameKey),
            customsName: req.t(booking.customsStatus.nameKey), total: Yuan.text(fen: booking.totalFen),
            createdAt: DisplayFormat.dateTime(booking.createdAt),
            customsCutoff: DisplayFormat.dateTime(booking.$departure.value?.customsCutoffAt))
    }

    // MARK: Home

    struct HomePage: Encodable {
        let page: PageContext
        let isPort: Bool
        let isEnterprise: Bool
        let canBook: Bool
        let departures: [DepartureRow]
        let pending: [BookingRow]
        let bookings: [BookingRow]
    }

    /// The port: the calendar of departures with their room, and the queues. An enterprise: the
    /// open departures with room left and its own bookings. The district: the departures.
    @Sendable static func home(req: Request) async throws -> Response {
        let user = try req.context.requireUser()
        let stations = try await stationNames(req)
        let since = req.now.addingTimeInterval(-30 * 86_400)
        var departuresQuery = TrainDeparture.query(on: req.db).filter(\.$departsAt >= since).sort(\.$departsAt)
        if user.role == .enterpriseAdmin {
            departuresQuery = departuresQuery.filter(\.$storedState == .open).filter(\.$bookingCutoffAt > req.now)
        }
        let departures = try await departuresQuery.limit(100).all()
        var pending: [ContainerBooking] = []
        var bookings: [ContainerBooking] = []
        if user.role == .portOperator {
            pending = try await ContainerBooking.query(on: req.db).filter(\.$state ~~ [.requested, .waitlisted])
                .with(\.$departure).with(\.$enterprise).sort(\.$createdAt).limit(200).all()
        }
        var canBook = false
        if user.role == .enterpriseAdmin, let id = user.$enterprise.id {
            bookings = try await ContainerBooking.query(on: req.db).filter(\.$enterprise.$id == id)
                .with(\.$departure).with(\.$enterprise).sort(\.$createdAt, .descending).limit(100).all()
            canBook = try await Enterprise.find(id, on: req.db)?.status == .verified
        }
        let context = HomePage(page: try await Pages.context(req, titleKey: "freight.title"), isPort: user.role == .portOperator,
                               isEnterprise: user.role == .enterpriseAdmin, canBook: canBook,
                               departures: departures.map { row(req, $0, stations: stations) },
                               pending: pending.map { row(req, $0) }, bookings: bookings.map { row(req, $0) })
        return try await Pages.render(req, "freight/home", context)
    }

    // MARK: Departures

    struct DepartureFormPage: Encodable {
        let page: PageContext
        let errorFields: [String: String]
        let fields: [Field]
    }

    static func stationOptions(_ req: Request, selected: String) async throws -> [SelectOption] {
        [SelectOption(value: "", label: req.t("list.choose"), selected: selected.isEmpty)]
            + (try await FreightService.stations(req.db)).map {
                SelectOption(value: $0.code, label: "\($0.name(in: req.language)) (\($0.code))", selected: $0.code == selected)
            }
    }

    static func departureFields(_ req: Request, _ form: FormState) async throws -> [Field] {
        func field(_ name: String, _ type: String = "text", hint: String? = nil) -> Field {
            Field(name: name, label: req.t("freight.field.\(name)"), value: form.values[name] ?? "", type: type, hint: hint,
                  error: form.fields[name])
        }
        var direction = field("direction")
        direction.options = [SelectOption(value: "", label: req.t("list.choose"), selected: (form.values["direction"] ?? "").isEmpty)]
            + TrainDirection.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: form.values["direction"] == $0.rawValue) }
        var origin = field("origin")
        origin.options = try await stationOptions(req, selected: form.values["origin"] ?? "")
        var destination = field("destination")
        destination.options = try await stationOptions(req, selected: form.values["destination"] ?? "")
        var capacity = field("capacityFeu", "number", hint: req.t("freight.field.capacityFeu.hint"))
        capacity.inputmode = "numeric"
        var auto = field("autoConfirm", "checkbox", hint: req.t("freight.field.autoConfirm.hint"))
        auto.checked = form.values["autoConfirm"] == "on"
        return [field("trainNumber", hint: req.t("freight.field.trainNumber.hint")), direction, origin, destination,
                field("departsAt", "datetime-local"), field("bookingCutoffAt", "datetime-local"),
                field("gateInCutoffAt", "datetime-local"), field("customsCutoffAt", "datetime-local"), capacity, auto]
    }

    @Sendable static func newDeparture(req: Request) async throws -> Response {
        var form = FormState()
        form.values = ["direction": "outbound", "origin": "CNCCX", "destination": "DEHAM", "capacityFeu": "45", "autoConfirm": "on"]
        return try await renderDepartureForm(req, form, status: .ok)
    }

    static func renderDepartureForm(_ req: Request, _ form: FormState, status: HTTPResponseStatus) async throws -> Response {
        let context = DepartureFormPage(page: try await Pages.context(req, titleKey: "freight.departure.new"), errorFields: form.fields,
                                        fields: try await departureFields(req, form))
        return try await Pages.render(req, "freight/departure-form", context, status: status)
    }

    static func formValues(_ req: Request) throws -> [String: String] {
        var values = (try? req.content.decode([String: String].self)) ?? [:]
        values.removeValue(forKey: "_csrf")
        return values
    }

    /// A `datetime-local` value: nil and a field error when typed wrong.
    static func moment(_ values: [String: String], _ name: String, into errors: inout FieldErrors) -> Date? {
        let text = FormText.trimmed(values[name])
        if text.isEmpty { return nil }
        guard let date = DisplayFormat.parseLocalDateTime(text) else { errors.add(name, "error.date"); return nil }
        return date
    }

    @Sendable static func createDeparture(req: Request) async throws -> Response {
        let values = try formValues(req)
        var errors = FieldErrors()
        let input = FreightInput.Departure(
            trainNumber: values["trainNumber"], direction: values["direction"], origin: values["origin"], destination: values["destination"],
            departsAt: moment(values, "departsAt", into: &errors), bookingCutoffAt: moment(values, "bookingCutoffAt", into: &errors),
            gateInCutoffAt: moment(values, "gateInCutoffAt", into: &errors), customsCutoffAt: moment(values, "customsCutoffAt", into: &errors),
            capacityFeu: FormText.integer(values["capacityFeu"], field: "capacityFeu", into: &errors), autoConfirm: values["autoConfirm"] == "on")
        return try await FormAction.run(req, flash: "freight.departure.created", redirect: "/freight",
                                        render: { found, status in try await renderDepartureForm(req, FormState(req, found, values: values), status: status) }) {
            var all = errors
            let command: FreightService.NewDeparture
            do { command = try input.command() } catch let found as FieldErrors { all.merge(found); throw all }
            try all.throwIfAny()
            _ = try await FreightService.createDeparture(req.context, command)
        }
    }

    struct DeparturePage: Encodable {
        let page: PageContext
        let departure: DepartureRow
        let milestones: [Step]
        let bookings: [BookingRow]
        let isPort: Bool
        let canBook: Bool
        let canSeeManifest: Bool
        let form: String
        let errorFields: [String: String]
        let editFields: [Field]
        let milestoneFields: [Field]
        let cancelFields: [Field]
        let canChange: Bool
        let canMilestone: Bool
    }

    @Sendable static func departure(req: Request) async throws -> Response {
        try await renderDeparture(req, form: "", FormState(), status: .ok)
    }

    static func renderDeparture(_ req: Request, form which: String, _ form: FormState, status: HTTPResponseStatus) async throws -> Response {
        let user = try req.context.requireUser()
        let departure = try await FreightService.findDeparture(req.context, id: req.parameters.get("departureID", as: UUID.self))
        let id = try departure.requireID()
        let stations = try await stationNames(req)
        let bookingsQuery = ContainerBooking.query(on: req.db).filter(\.$departure.$id == id).with(\.$enterprise).sort(\.$sequence)
        if user.role == .enterpriseAdmin { bookingsQuery.filter(\.$enterprise.$id == user.$enterprise.id ?? UUID()) }
        let bookings = try await bookingsQuery.all()
        for booking in bookings { booking.$departure.value = departure }
        let milestones = try await FreightEvent.query(on: req.db).filter(\.$departureID == id).filter(\.$bookingID == nil).sort(\.$at).all()
        let state = departure.state(at: req.now)
        let isPort = user.role == .portOperator
        func value(_ name: String, _ fallback: String) -> String { which == "" || form.values[name] == nil ? fallback : form.values[name]! }
        func field(_ group: String, _ name: String, _ fallback: String, _ type: String = "text") -> Field {
            Field(name: name, label: req.t("freight.field.\(name)"), value: value(name, fallback), type: type,
                  error: which == group ? form.fields[name] : nil)
        }
        var edit = [field("edit", "capacityFeu", String(departure.capacityHalves / 2), "number"),
                    field("edit", "bookingCutoffAt", local(departure.bookingCutoffAt), "datetime-local"),
                    field("edit", "gateInCutoffAt", local(departure.gateInCutoffAt), "datetime-local"),
                    field("edit", "customsCutoffAt", local(departure.customsCutoffAt), "datetime-local"),
                    field("edit", "eta", local(departure.eta), "datetime-local")]
        var auto = field("edit", "autoConfirm", "", "checkbox")
        auto.checked = which == "edit" ? form.values["autoConfirm"] == "on" : departure.autoConfirm
        edit.append(auto)
        var kind = field("milestone", "kind", "")
        let possible = DepartureEventKind.allCases.filter { $0.next(from: state) != nil }
        kind.options = [SelectOption(value: "", label: req.t("list.choose"), selected: value("kind", "").isEmpty)]
            + possible.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: value("kind", "") == $0.rawValue) }
        let milestoneFields = [kind, field("milestone", "place", ""), field("milestone", "at", local(req.now), "datetime-local"),
                               field("milestone", "eta", local(departure.eta), "datetime-local")]
        var moveTo = field("cancel", "moveTo", "")
        let others = try await TrainDeparture.query(on: req.db).filter(\.$storedState == .open).filter(\.$bookingCutoffAt > req.now)
            .filter(\.$id != id).filter(\.$direction == departure.direction).sort(\.$departsAt).all()
        moveTo.options = [SelectOption(value: "", label: req.t("freight.cancel.noMove"), selected: value("moveTo", "").isEmpty)]
            + others.map { SelectOption(value: $0.id!.uuidString, label: "\($0.trainNumber) · \(DisplayFormat.dateTime($0.departsAt)) · \(req.t("freight.remaining", FEU.text(halves: $0.remainingHalves)))",
                                        selected: value("moveTo", "") == $0.id!.uuidString) }
        let context = DeparturePage(
            page: try await Pages.context(req, titleKey: "freight.departure"), departure: row(req, departure, stations: stations),
            milestones: milestones.map { step(req, $0) }, bookings: bookings.map { row(req, $0) }, isPort: isPort,
            canBook: user.role == .enterpriseAdmin && state == .open,
            canSeeManifest: [.portOperator, .customsOfficer, .districtAdmin, .leader].contains(user.role),
            form: which, errorFields: form.fields, editFields: edit, milestoneFields: milestoneFields,
            cancelFields: [moveTo, field("cancel", "reason", "")],
            canChange: isPort && state.isBeforeDeparture, canMilestone: isPort && !possible.isEmpty)
        return try await Pages.render(req, "freight/departure", context, status: status)
    }

    static func local(_ date: Date?) -> String {
        guard let date else { return "" }
        return DisplayFormat.dateTime(date).replacingOccurrences(of: " ", with: "T")
    }

    static func step(_ req: Request, _ event: FreightEvent) -> Step {
        let isMilestone = event.bookingID == nil
        let label = isMilestone ? req.t("freight.event.\(event.kind)") : req.t("freight.step.\(event.kind)")
        return Step(at: DisplayFormat.dateTime(event.at), label: label, detail: isMilestone ? event.place : event.detail,
                    by: event.actorName, isMilestone: isMilestone)
    }

    @Sendable static func updateDeparture(req: Request) async throws -> Response {
        let id = try req.parameters.require("departureID", as: UUID.self)
        let values = try formValues(req)
        var errors = FieldErrors()
        let input = FreightInput.Departure(
            bookingCutoffAt: moment(values, "bookingCutoffAt", into: &errors), gateInCutoffAt: moment(values, "gateInCutoffAt", into: &errors),
            customsCutoffAt: moment(values, "customsCutoffAt", into: &errors),
            capacityFeu: FormText.integer(values["capacityFeu"], field: "capacityFeu", required: true, into: &errors),
            autoConfirm: values["autoConfirm"] == "on", eta: moment(values, "eta", into: &errors))
        return try await FormAction.run(req, flash: "freight.saved", redirect: "/freight/departures/\(id)",
                                        render: { found, status in try await renderDeparture(req, form: "edit", FormState(req, found, values: values), status: status) }) {
            try errors.throwIfAny()
            _ = try await FreightService.updateDeparture(req.context, id: id, input)
        }
    }

    @Sendable static func milestone(req: Request) async throws -> Response {
        let id = try req.parameters.require("departureID", as: UUID.self)
        let values = try formValues(req)
        var errors = FieldErrors()
        let input = FreightInput.Milestone(kind: values["kind"], place: values["place"], at: moment(values, "at", into: &errors),
                                           eta: moment(values, "eta", into: &errors))
        return try await FormAction.run(req, flash: "freight.milestone.saved", redirect: "/freight/departures/\(id)",
                                        render: { found, status in try await renderDeparture(req, form: "milestone", FormState(req, found, values: values), status: status) }) {
            try errors.throwIfAny()
            _ = try await FreightService.recordMilestone(req.context, id: id, try input.command(now: req.now))
        }
    }

    @Sendable static func cancelDeparture(req: Request) async throws -> Response {
        let id = try req.parameters.require("departureID", as: UUID.self)
        let values = try formValues(req)
        return try await FormAction.run(req, flash: "freight.departure.cancelDone", redirect: "/freight/departures/\(id)",
                                        render: { found, status in try await renderDeparture(req, form: "cancel", FormState(req, found, values: values), status: status) }) {
            let reason = try FreightInput.Reason(reason: values["reason"]).required()
            let moveTo = FormText.trimmed(values["moveTo"])
            try await FreightService.cancelDeparture(req.context, id: id, reason: reason, moveTo: moveTo.isEmpty ? nil : UUID(uuidString: moveTo) ?? UUID())
        }
    }

    // MARK: Booking form

    struct CommodityRow: Encodable {
        let index: Int
        let fields: [Field]
    }

    struct BookPage: Encodable {
        let page: PageContext
        let departure: DepartureRow
        let errorFields: [String: String]
        let containerFields: [Field]
        let containersError: String?
        let commodityRows: [CommodityRow]
        let commoditiesError: String?
        let otherFields: [Field]
        let quote: QuoteView?
    }

    struct QuoteView: Encodable {
        struct Line: Encodable { let item: String; let quantity: Int; let unit: String; let gross: String; let discount: String; let policy: String? }
        let lines: [Line]
        let gross: String
        let discount: String
        let total: String
        let frozen: String?
    }

    static func quoteView(_ req: Request, _ quote: Quote, frozenAt: Date? = nil) -> QuoteView {
        QuoteView(lines: quote.lines.map { .init(item: req.t($0.item.nameKey), quantity: $0.quantity, unit: Yuan.text(fen: $0.unitFen),
                                                 gross: Yuan.text(fen: $0.grossFen), discount: Yuan.text(fen: $0.discountFen), policy: $0.policy) },
                  gross: Yuan.text(fen: quote.grossFen), discount: Yuan.text(fen: quote.discountFen), total: Yuan.text(fen: quote.totalFen),
                  frozen: frozenAt.map { DisplayFormat.dateTime($0) })
    }

    static let commodityRows = 3

    /// The page's names for the API's fields (`commodities[1].hsCode` is typed in `c1_hsCode`).
    static func pageField(_ apiField: String) -> String {
        var name = apiField
        for index in 0..<20 {
            name = name.replacingOccurrences(of: "commodities[\(index)].", with: "c\(index)_")
                .replacingOccurrences(of: "containers[\(index)].", with: "k\(index)_")
        }
        return name.replacingOccurrences(of: "consignee.", with: "consignee_")
    }

    static func pageErrors(_ errors: FieldErrors) -> FieldErrors {
        var mapped = FieldErrors()
        for (field, key) in errors.messages { mapped.add(pageField(field), key, arguments: errors.arguments[field] ?? []) }
        return mapped
    }

    static func bookingInput(_ values: [String: String], departureID: UUID, into errors: inout FieldErrors) -> FreightInput.Booking {
        var containers: [FreightInput.Containers] = []
        for type in ContainerType.allCases {
            let name = "count_\(type.rawValue)"
            if let count = FormText.integer(values[name], field: name, into: &errors), count != 0 {
                if count < 0 { errors.add(name, "error.freight.positive") } else { containers.append(.init(type: type.rawValue, count: count)) }
            }
        }
        var commodities: [FreightInput.CommodityLine] = []
        for index in 0..<commodityRows {
            let keys = ["description", "hsCode", "packages", "grossWeightKg", "value"].map { "c\(index)_\($0)" }
            guard keys.contains(where: { !FormText.trimmed(values[$0]).isEmpty }) else { continue }
            var fen: Int?
            let valueText = FormText.trimmed(values["c\(index)_value"])
            if !valueText.isEmpty { fen = Yuan.fen(valueText); if fen == nil { errors.add("c\(index)_valueFen", "error.freight.yuan") } }
            commodities.append(.init(description: values["c\(index)_description"], hsCode: values["c\(index)_hsCode"],
                                     packages: FormText.integer(values["c\(index)_packages"], field: "c\(index)_packages", into: &errors),
                                     grossWeightKg: FormText.integer(values["c\(index)_grossWeightKg"], field: "c\(index)_grossWeightKg", into: &errors),
                                     valueFen: fen))
        }
        return FreightInput.Booking(departureId: departureID, containers: containers, commodities: commodities,
                                    consignee: .init(name: values["consignee_name"], country: values["consignee_country"], address: values["consignee_address"]),
                                    destination: values["destination"], customsBrokerage: values["customsBrokerage"] == "on")
    }

    @Sendable static func bookingForm(req: Request) async throws -> Response {
        let departure = try await FreightService.findDeparture(req.context, id: req.parameters.get("departureID", as: UUID.self))
        // No form for a train that takes no bookings: say why at once.
        switch departure.state(at: req.now) {
        case .open: break
        case .closed: throw AppError.illegalTransition(messageKey: "error.freight.afterCutoff")
        default: throw AppError.illegalTransition(messageKey: "error.freight.notOpen")
        }
        var form = FormState()
        form.values = ["destination": departure.destination, "count_40HC": "1"]
        return try await renderBookForm(req, departure, form, quote: nil, status: .ok)
    }

    static func renderBookForm(_ req: Request, _ departure: TrainDeparture, _ form: FormState, quote: Quote?,
                               status: HTTPResponseStatus) async throws -> Response {
        let stations = try await stationNames(req)
        func field(_ name: String, _ label: String, _ type: String = "text", inputmode: String? = nil, hint: String? = nil) -> Field {
            Field(name: name, label: label, value: form.values[name] ?? "", type: type, inputmode: inputmode, hint: hint, error: form.fields[name])
        }
        let containers = ContainerType.allCases.map {
            field("count_\($0.rawValue)", "\(req.t($0.nameKey)) (\($0.rawValue))", "number", inputmode: "numeric")
        }
        let rows = (0..<commodityRows).map { index in
            CommodityRow(index: index + 1, fields: [
                field("c\(index)_description", req.t("freight.field.cargo")),
                field("c\(index)_hsCode", req.t("freight.field.hsCode"), inputmode: "numeric", hint: req.t("freight.field.hsCode.hint")),
                field("c\(index)_packages", req.t("freight.field.packages"), "number", inputmode: "numeric"),
                field("c\(index)_grossWeightKg", req.t("freight.field.grossWeightKg"), "number", inputmode: "numeric"),
                Field(name: "c\(index)_value", label: req.t("freight.field.valueYuan"), value: form.values["c\(index)_value"] ?? "",
                      inputmode: "decimal", error: form.fields["c\(index)_valueFen"]),
            ])
        }
        var destination = field("destination", req.t("freight.field.destination"))
        destination.options = try await stationOptions(req, selected: form.values["destination"] ?? "")
        var brokerage = field("customsBrokerage", req.t("freight.field.customsBrokerage"), "checkbox", hint: req.t("freight.field.customsBrokerage.hint"))
        brokerage.checked = form.values["customsBrokerage"] == "on"
        let other = [field("consignee_name", req.t("freight.field.consigneeName")),
                     field("consignee_country", req.t("freight.field.consigneeCountry"), hint: req.t("freight.field.consigneeCountry.hint")),
                     field("consignee_address", req.t("freight.field.consigneeAddress")), destination, brokerage]
        let context = BookPage(page: try await Pages.context(req, titleKey: "freight.book"), departure: row(req, departure, stations: stations),
                               errorFields: form.fields, containerFields: containers, containersError: form.fields["containers"],
                               commodityRows: rows, commoditiesError: form.fields["commodities"], otherFields: other,
                               quote: quote.map { quoteView(req, $0) })
        return try await Pages.render(req, "freight/book", context, status: status)
    }

    /// "See the price" shows the quote and keeps the form; "Book" books.
    @Sendable static func book(req: Request) async throws -> Response {
        let departure = try await FreightService.findDeparture(req.context, id: req.parameters.get("departureID", as: UUID.self))
        let id = try departure.requireID()
        let values = try formValues(req)
        var errors = FieldErrors()
        let input = bookingInput(values, departureID: id, into: &errors)
        if values["preview"] != nil {
            do {
                try errors.throwIfAny()
                let quote = try await FreightService.quote(req.context, FreightInput.Quote(departureId: id, containers: input.containers,
                                                                                           customsBrokerage: input.customsBrokerage))
                var form = FormState()
                form.values = values
                return try await renderBookForm(req, departure, form, quote: quote, status: .ok)
            } catch let found as FieldErrors {
                errors.merge(pageErrors(found))
                return try await renderBookForm(req, departure, FormState(req, errors, values: values), quote: nil, status: .unprocessableEntity)
            }
        }
        var booked: ContainerBooking?
        let response = try await FormAction.run(req, flash: "freight.booked", redirect: "/freight",
                                                render: { found, status in
                                                    var all = errors
                                                    all.merge(pageErrors(found))
                                                    return try await renderBookForm(req, departure, FormState(req, all, values: values), quote: nil, status: status)
                                                }) {
            try errors.throwIfAny()
            booked = try await FreightService.book(req.context, try input.command())
        }
        if let booked { return req.redirect(to: "/freight/bookings/\(booked.id!)") }
        return response
    }

    // MARK: A booking

    struct ContainerView: Encodable {
        let number: String
        let type: String
        let seal: String
        let weight: Int
        let gatedIn: String?
    }

    struct ContainerRowFields: Encodable {
        let index: Int
        let fields: [Field]
    }

    struct BookingPage: Encodable {
        let page: PageContext
        let booking: BookingRow
        let departure: DepartureRow
        let commodities: [Commodity]
        let consignee: String
        let destination: String
        let brokerage: Bool
        let value: String
        let reason: String?
        let declarationNumber: String?
        let customsReason: String?
        let quote: QuoteView
        let containers: [ContainerView]
        let timeline: [Step]
        let form: String
        let errorFields: [String: String]
        let containerRows: [ContainerRowFields]
        let containersError: String?
        let fields: [String: String]
        let values: [String: String]
        let canCancel: Bool
        let canDecide: Bool
        let canContainers: Bool
        let canGateIn: Bool
        let canLoad: Bool
        let canDeclare: Bool
        let customsSteps: [SelectOption]
    }

    @Sendable static func booking(req: Request) async throws -> Response {
        try await renderBooking(req, form: "", FormState(), status: .ok)
    }

    static func renderBooking(_ req: Request, form which: String, _ form: FormState, status: HTTPResponseStatus) async throws -> Response {
        let user = try req.context.requireUser()
        let booking = try await FreightService.findBooking(req.context, id: req.parameters.get("bookingID", as: UUID.self))
        let departure = booking.departure
        let stations = try await stationNames(req)
        let containers = try await FreightContainer.query(on: req.db).filter(\.$bookingID == booking.requireID()).sort(\.$number).all()
        let timeline = try await FreightService.timeline(booking, on: req.db)
        let role = user.role
        let isShipper = role == .enterpriseAdmin
        let isPort = role == .portOperator
        let before = departure.state(at: req.now).isBeforeDeparture
        // The container rows: as typed after a mistake, else as stored, else one per booked container.
        var types: [ContainerType] = booking.containers.flatMap { Array(repeating: $0.type, count: $0.count) }
        types = containers.count == types.count ? containers.map(\.type) : types
        let rows = types.enumerated().map { index, type -> ContainerRowFields in
            let stored = index < containers.count ? containers[index] : nil
            func value(_ name: String, _ fallback: String) -> String { which == "containers" ? form.values["k\(index)_\(name)"] ?? "" : fallback }
            func field(_ name: String, _ label: String, _ fallback: String, inputmode: String? = nil) -> Field {
                Field(name: "k\(index)_\(name)", label: label, value: value(name, fallback), inputmode: inputmode,
                      error: which == "containers" ? form.fields["k\(index)_\(name)"] : nil)
            }
            var typeField = field("type", req.t("freight.field.containerType"), type.rawValue)
            typeField.options = ContainerType.allCases.map { SelectOption(value: $0.rawValue, label: $0.rawValue, selected: typeField.value == $0.rawValue) }
            return ContainerRowFields(index: index + 1, fields: [
                field("number", req.t("freight.field.containerNumber"), stored?.number ?? ""), typeField,
                field("sealNumber", req.t("freight.field.sealNumber"), stored?.sealNumber ?? ""),
                field("grossWeightKg", req.t("freight.field.containerWeight"), stored.map { String($0.grossWeightKg) } ?? "", inputmode: "numeric"),
            ])
        }
        let customsSteps: [SelectOption] = role == .customsOfficer
            ? [CustomsStatus.inspection, .released, .held].filter { $0.canFollow(booking.customsStatus) }
                .map { SelectOption(value: $0.rawValue, label: req.t("freight.customs.action.\($0.rawValue)"), selected: form.values["status"] == $0.rawValue) }
            : []
        let context = BookingPage(
            page: try await Pages.context(req, titleKey: "freight.booking"), booking: row(req, booking),
            departure: row(req, departure, stations: stations), commodities: booking.commodities,
            consignee: "\(booking.consigneeName) · \(booking.consigneeCountry) · \(booking.consigneeAddress)",
            destination: stations[booking.destination] ?? booking.destination, brokerage: booking.customsBrokerage,
            value: Yuan.text(fen: booking.valueFen), reason: booking.reason, declarationNumber: booking.declarationNumber,
            customsReason: booking.customsReason, quote: quoteView(req, booking.quote, frozenAt: booking.quoteFrozenAt),
            containers: containers.map { ContainerView(number: $0.number, type: $0.type.rawValue, seal: $0.sealNumber, weight: $0.grossWeightKg,
                                                       gatedIn: $0.gatedInAt.map { DisplayFormat.dateTime($0) }) },
            timeline: timeline.map { step(req, $0) }, form: which, errorFields: form.fields, containerRows: rows,
            containersError: which == "containers" ? form.fields["containers"] : nil, fields: form.fields, values: form.values,
            canCancel: booking.state.isLive && ((isShipper && req.now < departure.bookingCutoffAt) || isPort),
            canDecide: isPort && (booking.state == .requested || booking.state == .waitlisted),
            canContainers: booking.state == .confirmed && ((isShipper && req.now < departure.gateInCutoffAt) || isPort),
            canGateIn: isPort && booking.state == .confirmed && !containers.isEmpty && containers.contains { $0.gatedInAt == nil },
            canLoad: isPort && booking.state == .confirmed && before && booking.customsStatus == .released
                && containers.count == ContainerRequest.containers(booking.requests) && containers.allSatisfy { $0.gatedInAt != nil },
            canDeclare: (isShipper || (isPort && booking.customsBrokerage)) && (booking.state == .confirmed || booking.state == .loaded)
                && CustomsStatus.declared.canFollow(booking.customsStatus) && req.now < departure.customsCutoffAt,
            customsSteps: customsSteps)
        return try await Pages.render(req, "freight/booking", context, status: status)
    }

    /// Every step on a booking's page posts here: `cancel`, `confirm`, `reject`, `containers`,
    /// `gate-in`, `load`, `customs`.
    @Sendable static func bookingAction(req: Request) async throws -> Response {
        let action = try req.parameters.require("action")
        let values = try formValues(req)
        let ctx = req.context
        let booking = try await FreightService.findBooking(ctx, id: req.parameters.get("bookingID", as: UUID.self))
        let role = try ctx.requireUser().role
        let allowed: [String: Set<Role>] = [
            "cancel": [.enterpriseAdmin, .portOperator], "confirm": [.portOperator], "reject": [.portOperator],
            "containers": [.enterpriseAdmin, .portOperator], "gate-in": [.portOperator], "load": [.portOperator],
            "customs": [.enterpriseAdmin, .portOperator, .customsOfficer],
        ]
        guard let roles = allowed[action] else { throw AppError.notFound }
        guard roles.contains(role) else { throw AppError.forbidden }
        let here = "/freight/bookings/\(booking.id!)"
        return try await FormAction.run(req, flash: "freight.step.saved", redirect: here,
                                        render: { found, status in
                                            try await renderBooking(req, form: action, FormState(req, pageErrors(found), values: values), status: status)
                                        }) {
            switch action {
            case "cancel": _ = try await FreightService.cancel(ctx, booking, reason: try FreightInput.Reason(reason: values["reason"]).required())
            case "confirm": _ = try await FreightService.confirm(ctx, booking)
            case "reject": _ = try await FreightService.reject(ctx, booking, reason: try FreightInput.Reason(reason: values["reason"]).required())
            case "gate-in": try await FreightService.gateIn(ctx, booking, numbers: [])
            case "load": _ = try await FreightService.load(ctx, booking)
            case "customs":
                let step = try FreightInput.Customs(status: values["status"] ?? (role == .customsOfficer ? nil : "declared"),
                                                    declarationNumber: values["declarationNumber"], reason: values["reason"]).command()
                _ = try await FreightService.customs(ctx, booking, step)
            default:
                let count = booking.containers.reduce(0) { $0 + $1.count }
                var errors = FieldErrors()
                let entries = (0..<count).map { index in
                    FreightInput.ContainerEntry(number: values["k\(index)_number"], type: values["k\(index)_type"],
                                                sealNumber: values["k\(index)_sealNumber"],
                                                grossWeightKg: FormText.integer(values["k\(index)_grossWeightKg"], field: "containers[\(index)].grossWeightKg", into: &errors))
                }
                do { try await FreightService.setContainers(ctx, booking, entries) } catch let found as FieldErrors {
                    errors.merge(found)
                }
                try errors.throwIfAny()
            }
        }
    }

    // MARK: Customs

    struct CustomsPage: Encodable {
        let page: PageContext
        let queue: [BookingRow]
    }

    /// Declarations waiting for customs, the nearest customs cut-off first.
    @Sendable static func customsQueue(req: Request) async throws -> Response {
        let bookings = try await ContainerBooking.query(on: req.db).filter(\.$customsStatus ~~ [.declared, .inspection, .held])
            .filter(\.$state ~~ [.confirmed, .loaded]).with(\.$departure).with(\.$enterprise).all()
            .sorted { ($0.departure.customsCutoffAt, $0.sequence) < ($1.departure.customsCutoffAt, $1.sequence) }
        let context = CustomsPage(page: try await Pages.context(req, titleKey: "freight.customs.queue"), queue: bookings.map { row(req, $0) })
        return try await Pages.render(req, "freight/customs", context)
    }

    // MARK: Fees and policies

    struct PolicyRow: Encodable {
        let id: UUID
        let name: String
        let item: String
        let discount: String
        let valid: String
        let scope: String
        let active: Bool
    }

    struct FeesPage: Encodable {
        let page: PageContext
        let isPort: Bool
        let form: String
        let errorFields: [String: String]
        let feeFields: [Field]
        let policies: [PolicyRow]
        let policyFields: [Field]
    }

    static let feeNames = ["freightPerFeuFen", "freightPerTwentyFen", "brokeragePerDeclarationFen", "liftingPerContainerFen", "movingPerContainerFen"]

    @Sendable static func fees(req: Request) async throws -> Response {
        try await renderFees(req, form: "", FormState(), status: .ok)
    }

    static func renderFees(_ req: Request, form which: String, _ form: FormState, status: HTTPResponseStatus) async throws -> Response {
        let user = try req.context.requireUser()
        let tariff = try await FreightService.tariff(req.db)
        let stored = FeesDTO(tariff)
        let storedFen = [stored.freightPerFeuFen, stored.freightPerTwentyFen, stored.brokeragePerDeclarationFen,
                         stored.liftingPerContainerFen, stored.movingPerContainerFen]
        var feeFields = zip(feeNames, storedFen).map { name, fen in
            Field(name: name, label: req.t("freight.field.\(name)"), value: which == "fees" ? form.values[name] ?? "" : Yuan.text(fen: fen).replacingOccurrences(of: ",", with: ""),
                  inputmode: "decimal", error: which == "fees" ? form.fields[name] : nil)
        }
        for type in ContainerType.allCases {
            let name = "maxGrossKg_\(type.rawValue)"
            feeFields.append(Field(name: name, label: req.t("freight.field.maxGrossKg", type.rawValue),
                                   value: which == "fees" ? form.values[name] ?? "" : String(tariff.maxGross(type)), inputmode: "numeric",
                                   error: which == "fees" ? form.fields["maxGrossKg.\(type.rawValue)"] : nil))
        }
        let zones = try await EnterpriseRegistry.zones(req.db)
        let zoneNames = EnterpriseRegistry.zoneNames(zones, req.language)
        let policies = try await FreightPolicy.query(on: req.db).sort(\.$createdAt).all().map { policy in
            PolicyRow(id: policy.id!, name: policy.name, item: req.t(policy.item.nameKey),
                      discount: policy.discountKind == "percent" ? "\(policy.amount)%" : req.t("freight.policy.fixedOff", Yuan.text(fen: policy.amount)),
                      valid: "\(policy.validFrom) – \(policy.validTo)",
                      scope: policy.scopeKind == "all" ? req.t("freight.scope.all")
                          : policy.scopeKind == "zone" ? zoneNames[policy.scopeValue ?? ""] ?? (policy.scopeValue ?? "")
                          : req.t("resumption.category.\(policy.scopeValue ?? "")"),
                      active: policy.active)
        }
        func field(_ name: String, _ type: String = "text", hint: String? = nil) -> Field {
            Field(name: name, label: req.t("freight.field.policy.\(name)"), value: which == "policy" ? form.values[name] ?? "" : "", type: type,
                  hint: hint, error: which == "policy" ? form.fields[name] : nil)
        }
        var item = field("item")
        item.options = [SelectOption(value: "", label: req.t("list.choose"), selected: item.value.isEmpty)]
            + FeeItem.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: item.value == $0.rawValue) }
        var kind = field("discountKind")
        kind.options = [SelectOption(value: "", label: req.t("list.choose"), selected: kind.value.isEmpty)]
            + ["percent", "fixed"].map { SelectOption(value: $0, label: req.t("freight.discount.\($0)"), selected: kind.value == $0) }
        var scope = field("scope")
        let scopeChoices = [("all", req.t("freight.scope.all"))] + zones.map { ("zone:\($0.code)", $0.displayName(req.language)) }
            + ResumptionCategory.allCases.map { ("category:\($0.rawValue)", req.t($0.nameKey)) }
        scope.options = scopeChoices.map { SelectOption(value: $0.0, label: $0.1, selected: (scope.value.isEmpty ? "all" : scope.value) == $0.0) }
        if which == "policy", scope.error == nil { scope.error = form.fields["scopeValue"] }
        let context = FeesPage(page: try await Pages.context(req, titleKey: "freight.fees"), isPort: user.role == .portOperator, form: which,
                               errorFields: form.fields, feeFields: feeFields, policies: policies,
                               policyFields: [field("name"), item, kind, field("amount", hint: req.t("freight.field.policy.amount.hint")),
                                              field("validFrom", "date"), field("validTo", "date"), scope])
        return try await Pages.render(req, "freight/fees", context, status: status)
    }

    @Sendable static func setFees(req: Request) async throws -> Response {
        let values = try formValues(req)
        var errors = FieldErrors()
        var fen: [String: Int] = [:]
        for name in feeNames {
            let text = FormText.trimmed(values[name])
            if text.isEmpty { errors.add(name, "error.required") } else if let value = Yuan.fen(text) { fen[name] = value } else { errors.add(name, "error.freight.yuan") }
        }
        var limits: [String: Int] = [:]
        for type in ContainerType.allCases {
            if let value = FormText.integer(values["maxGrossKg_\(type.rawValue)"], field: "maxGrossKg.\(type.rawValue)", required: true, into: &errors) {
                limits[type.rawValue] = value
            }
        }
        let input = FreightInput.Fees(freightPerFeuFen: fen["freightPerFeuFen"], freightPerTwentyFen: fen["freightPerTwentyFen"],
                                      brokeragePerDeclarationFen: fen["brokeragePerDeclarationFen"], liftingPerContainerFen: fen["liftingPerContainerFen"],
                                      movingPerContainerFen: fen["movingPerContainerFen"], maxGrossKg: limits)
        return try await FormAction.run(req, flash: "freight.saved", redirect: "/freight/fees",
                                        render: { found, status in try await renderFees(req, form: "fees", FormState(req, found, values: values), status: status) }) {
            try errors.throwIfAny()
            _ = try await FreightService.setFees(req.context, input)
        }
    }

    static func policyInput(_ values: [String: String], into errors: inout FieldErrors) -> FreightInput.Policy {
        let kind = FormText.trimmed(values["discountKind"])
        var amount: Int?
        let text = FormText.trimmed(values["amount"])
        if !text.isEmpty {
            amount = kind == "fixed" ? Yuan.fen(text) : Int(text)
            if amount == nil { errors.add("amount", kind == "fixed" ? "error.freight.yuan" : "error.number") }
        }
        let scope = FormText.trimmed(values["scope"]).split(separator: ":", maxSplits: 1).map(String.init)
        return FreightInput.Policy(name: values["name"], item: values["item"], discountKind: kind, amount: amount, validFrom: values["validFrom"],
                                   validTo: values["validTo"], scope: scope.first ?? "all", scopeValue: scope.count > 1 ? scope[1] : nil)
    }

    @Sendable static func addPolicy(req: Request) async throws -> Response {
        let values = try formValues(req)
        var errors = FieldErrors()
        let input = policyInput(values, into: &errors)
        return try await FormAction.run(req, flash: "freight.policy.added", redirect: "/freight/fees",
                                        render: { found, status in try await renderFees(req, form: "policy", FormState(req, found, values: values), status: status) }) {
            do { _ = try await FreightService.addPolicy(req.context, input) } catch let found as FieldErrors { errors.merge(found) }
            try errors.throwIfAny()
        }
    }

    /// Switches a policy on or off.
    @Sendable static func togglePolicy(req: Request) async throws -> Response {
        let id = try req.parameters.require("policyID", as: UUID.self)
        guard let policy = try await FreightPolicy.find(id, on: req.db) else { throw AppError.notFound }
        _ = try await FreightService.updatePolicy(req.context, id: id, FreightInput.Policy(active: !policy.active))
        try await Pages.flash(req, "freight.saved")
        return req.redirect(to: "/freight/fees")
    }

    // MARK: Manifest and figures

    struct ManifestLine: Encodable {
        let bookingNumber, shipper, containerNumber, type, sealNumber: String
        let grossWeightKg: Int
        let cargo, hsCodes, value, customs: String
    }

    struct ManifestPage: Encodable {
        let page: PageContext
        let departure: DepartureRow
        let rows: [ManifestLine]
        let feu: String
        let teu: Int
        let containers: Int
        let weight: Int
        let value: String
        let valueWan: String
        let shippers: Int
        let csvHref: String
    }

    @Sendable static func manifest(req: Request) async throws -> Response {
        let departure = try await FreightService.findDeparture(req.context, id: req.parameters.get("departureID", as: UUID.self))
        let manifest = try await FreightFigures.manifest(req.context, departure)
        if req.query[String.self, at: "format"] == "csv" {
            return FreightFigures.csv(manifest, trainNumber: departure.trainNumber) { req.t($0) }
        }
        let totals = manifest.totals
        let context = ManifestPage(
            page: try await Pages.context(req, titleKey: "freight.manifest"), departure: row(req, departure, stations: try await stationNames(req)),
            rows: manifest.rows.map {
                ManifestLine(bookingNumber: $0.bookingNumber, shipper: $0.shipper, containerNumber: $0.containerNumber, type: $0.type.rawValue,
                             sealNumber: $0.sealNumber, grossWeightKg: $0.grossWeightKg, cargo: $0.cargo, hsCodes: $0.hsCodes,
                             value: Yuan.text(fen: $0.valueFen), customs: req.t($0.customsStatus.nameKey))
            }, feu: FEU.text(halves: totals.teu), teu: totals.teu,
            containers: totals.containers, weight: totals.grossWeightKg, value: Yuan.text(fen: totals.valueFen),
            valueWan: Yuan.wan(fen: totals.valueFen), shippers: totals.shippers,
            csvHref: "/freight/departures/\(departure.id!)/manifest?format=csv")
        return try await Pages.render(req, "freight/manifest", context)
    }

    struct FiguresPage: Encodable {
        struct MonthRow: Encodable { let month: String; let trains: Int; let feu: String; let value: String; let shippers: Int }
        struct ChapterRow: Encodable { let chapter: String; let name: String; let value: String; let weight: Int }
        let page: PageContext
        let from: String
        let to: String
        let months: [MonthRow]
        let chapters: [ChapterRow]
        let totals: MonthRow
        let charts: [BarChart]
    }

    @Sendable static func figures(req: Request) async throws -> Response {
        let (from, to) = try req.dayRange(defaultDays: 366)
        let report = try await FreightFigures.report(req.db, from: from, to: to)
        func month(_ row: FreightFigures.Month) -> FiguresPage.MonthRow {
            .init(month: row.month == "total" ? req.t("freight.figures.total") : row.month, trains: row.trains,
                  feu: FEU.text(halves: Int(row.feu * 2)), value: Yuan.wan(fen: row.valueFen), shippers: row.shippers)
        }
        let chapterName = { (chapter: String) -> String in
            let key = "freight.hs.\(chapter)"
            let text = req.t(key)
            return text == key ? req.t("freight.hs.other", chapter) : text
        }
        let charts = [
            BarChart(title: req.t("freight.figures.feuByMonth"), legend: req.t("freight.figures.feu"),
                     rows: report.months.map { (label: $0.month, value: Int($0.feu.rounded()), second: nil) }),
            BarChart(title: req.t("freight.figures.valueByMonth"), legend: req.t("freight.figures.valueWan"),
                     rows: report.months.map { (label: $0.month, value: $0.valueFen / 1_000_000, second: nil) }),
            BarChart(title: req.t("freight.figures.byChapter"), legend: req.t("freight.figures.valueWan"),
                     rows: report.byChapter.prefix(10).map { (label: "HS \($0.chapter)", value: $0.valueFen / 1_000_000, second: nil) }),
        ]
        let context = FiguresPage(page: try await Pages.context(req, titleKey: "freight.figures"), from: report.from, to: report.to,
                                  months: report.months.map(month), chapters: report.byChapter.map {
                                      .init(chapter: $0.chapter, name: chapterName($0.chapter), value: Yuan.wan(fen: $0.valueFen), weight: $0.grossWeightKg)
                                  }, totals: month(report.totals), charts: charts)
        return try await Pages.render(req, "freight/figures", context)
    }
}
