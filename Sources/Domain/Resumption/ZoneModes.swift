import Foundation

/// 分区施策: each zone resumes enterprises its own way. A change names the zone, the mode and
/// the day it takes effect; the latest change in effect on a day decides, and a zone with none
/// in effect follows the district's default. An application keeps the mode of its
/// enterprise's zone on the day it was submitted.
public struct ZoneModeChange: Sendable, Equatable {
    public let zone: String
    public let mode: ResumptionMode
    public let effectiveFrom: CivilDate

    public init(zone: String, mode: ResumptionMode, effectiveFrom: CivilDate) {
        self.zone = zone
        self.mode = mode
        self.effectiveFrom = effectiveFrom
    }
}

public enum ZoneModes {
    /// The change in effect for `zone` on `date`, if any: the latest effective day on or before
    /// `date`; of two on one day, the one recorded later (later in `changes`).
    public static func inEffect(zone: String, on date: CivilDate, _ changes: [ZoneModeChange]) -> ZoneModeChange? {
        var found: ZoneModeChange?
        for change in changes where change.zone == zone && change.effectiveFrom <= date {
            if found.map({ change.effectiveFrom >= $0.effectiveFrom }) ?? true { found = change }
        }
        return found
    }

    /// The mode for an enterprise of `zone` submitting on `date`.
    public static func mode(zone: String, on date: CivilDate, _ changes: [ZoneModeChange], districtDefault: ResumptionMode) -> ResumptionMode {
        inEffect(zone: zone, on: date, changes)?.mode ?? districtDefault
    }

    /// Checks the changes an admin asks for: a known zone, a mode, a day from `today` on (a mode
    /// cannot change what was submitted already). Fields are `[i].zone`, `[i].mode`,
    /// `[i].effectiveFrom`; an empty list is refused.
    public static func check(_ raw: [(zone: String, mode: String, effectiveFrom: String)], zones: Set<String>,
                             today: CivilDate) throws(FieldErrors) -> [ZoneModeChange] {
        var errors = FieldErrors()
        var checked: [ZoneModeChange] = []
        if raw.isEmpty { errors.add("modes", "error.required") }
        for (index, item) in raw.enumerated() {
            let field = "[\(index)]"
            if item.zone.isEmpty { errors.add("\(field).zone", "error.required") } else if !zones.contains(item.zone) {
                errors.add("\(field).zone", "error.zone.unknown")
            }
            let mode = ResumptionMode(rawValue: item.mode)
            if mode == nil { errors.add("\(field).mode", FormText.choiceError(item.mode)) }
            let day = CivilDate(iso: item.effectiveFrom)
            if let day, day < today {
                errors.add("\(field).effectiveFrom", "error.mode.past", arguments: [today.iso])
            } else if day == nil {
                errors.add("\(field).effectiveFrom", item.effectiveFrom.isEmpty ? "error.required" : "error.date")
            }
            if let mode, let day, zones.contains(item.zone) { checked.append(ZoneModeChange(zone: item.zone, mode: mode, effectiveFrom: day)) }
        }
        if !errors.isEmpty { throw errors }
        return checked
    }
}
