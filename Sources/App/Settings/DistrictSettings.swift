import Domain
import Fluent
import Foundation
import Vapor

/// A district setting, kept as text under a key. `DistrictSettings` reads them typed.
final class DistrictSetting: Model, @unchecked Sendable {
    static let schema = "district_settings"

    @ID(key: .id) var id: UUID?
    @Field(key: "key") var key: String
    @Field(key: "value") var value: String
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

struct CreateDistrictSettings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DistrictSetting.schema)
            .id()
            .field("key", .string, .required)
            .field("value", .string, .required)
            .field("updated_at", .datetime)
            .unique(on: "key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DistrictSetting.schema).delete()
    }
}

/// The district's settings, typed, with their defaults. Changed by the district admin.
struct DistrictSettings: Content, Equatable {
    /// The resumption mode in force from `modeEffectiveFrom`; before it, `previousMode`.
    var resumptionMode: ResumptionMode = .approval
    var previousMode: ResumptionMode = .approval
    var modeEffectiveFrom: String = "2020-01-01"
    /// Working days between submission and the planned resumption date.
    var minimumNoticeWorkingDays = 2
    /// Applications waiting longer than this many working days are marked in the queues.
    var queueOverdueWorkingDays = 1
    /// Largest accepted upload, in megabytes.
    var maxUploadMegabytes = 10
    /// Most enterprises one officer is assigned automatically.
    var officerCap = 20
    /// Help-desk deadlines per urgency, confirmation window, escalation.
    var serviceLevels = ServiceLevels()
    /// The district's group robot (WeCom / DingTalk), for escalations and low ratings.
    var districtWebhookURL = ""
    /// When the daily briefing goes to the district's group robot (`08:30`, China Standard
    /// Time); empty: it is not sent.
    var briefingTime = ""
    /// Fever threshold, quarantine days, key areas, cluster rule, supplies warning, retention.
    var health = HealthPolicy()


    /// The mode in force on `date` (China Standard Time).
    func mode(on date: CivilDate) -> ResumptionMode {
        guard let from = CivilDate(iso: modeEffectiveFrom) else { return resumptionMode }
        return date < from ? previousMode : resumptionMode
    }

    var maxUploadBytes: Int { maxUploadMegabytes * 1024 * 1024 }

    static func load(_ db: any Database) async throws -> DistrictSettings {
        let rows = try await DistrictSetting.query(on: db).all()
        var values = Dictionary(uniqueKeysWithValues: rows.map { ($0.key, $0.value) })
        var settings = DistrictSettings()
        if let mode = values.removeValue(forKey: "resumptionMode").flatMap(ResumptionMode.init(rawValue:)) { settings.resumptionMode = mode }
        if let mode = values.removeValue(forKey: "previousMode").flatMap(ResumptionMode.init(rawValue:)) { settings.previousMode = mode }
        if let date = values["modeEffectiveFrom"], CivilDate(iso: date) != nil { settings.modeEffectiveFrom = date }
        if let days = values["minimumNoticeWorkingDays"].flatMap(Int.init) { settings.minimumNoticeWorkingDays = days }
        if let days = values["queueOverdueWorkingDays"].flatMap(Int.init) { settings.queueOverdueWorkingDays = days }
        if let size = values["maxUploadMegabytes"].flatMap(Int.init) { settings.maxUploadMegabytes = size }
        if let cap = values["officerCap"].flatMap(Int.init) { settings.officerCap = cap }
        if let levels = values["serviceLevels"].flatMap({ try? JSONDecoder().decode(ServiceLevels.self, from: Data($0.utf8)) }) {
            settings.serviceLevels = levels
        }
        if let url = values["districtWebhookURL"] { settings.districtWebhookURL = url }
        if let time = values["briefingTime"] { settings.briefingTime = time }
        if let health = values["health"].flatMap({ try? JSONDecoder().decode(HealthPolicy.self, from: Data($0.utf8)) }) {
            settings.health = health
        }
        return settings
    }

    var stored: [String: String] {
        ["resumptionMode": resumptionMode.rawValue, "previousMode": previousMode.rawValue,
         "modeEffectiveFrom": modeEffectiveFrom, "minimumNoticeWorkingDays": String(minimumNoticeWorkingDays),
         "queueOverdueWorkingDays": String(queueOverdueWorkingDays), "maxUploadMegabytes": String(maxUploadMegabytes),
         "officerCap": String(officerCap),
         "serviceLevels": String(decoding: (try? JSONEncoder().encode(serviceLevels)) ?? Data("{}".utf8), as: UTF8.self),
         "districtWebhookURL": districtWebhookURL, "briefingTime": briefingTime,
         "health": String(decoding: (try? JSONEncoder().encode(health)) ?? Data("{}".utf8), as: UTF8.self)]
    }

    func save(on db: any Database) async throws {
        for (key, value) in stored {
            if let row = try await DistrictSetting.query(on: db).filter(\.$key == key).first() {
                row.value = value
                try await row.save(on: db)
            } else {
                try await DistrictSetting(key: key, value: value).create(on: db)
            }
        }
    }
}

extension Application {
    private struct SettingsCacheKey: StorageKey { typealias Value = InstanceCache<DistrictSettings> }

    /// Made in `configure`, before any request.
    var settingsCache: InstanceCache<DistrictSettings> {
        get { storage[SettingsCacheKey.self]! }
        set { storage[SettingsCacheKey.self] = newValue }
    }
}

extension Request {
    private struct SettingsKey: StorageKey { typealias Value = DistrictSettings }

    /// The district's settings, read once per request and kept by the instance for a few
    /// seconds (`InstanceCache`).
    func districtSettings() async throws -> DistrictSettings {
        if let cached = storage[SettingsKey.self] { return cached }
        let settings = try await application.settingsCache.value { try await DistrictSettings.load(db) }
        storage[SettingsKey.self] = settings
        return settings
    }
}
