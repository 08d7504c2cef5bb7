import Domain
import Vapor

/// `/api/v1/settings`.
enum SettingsAPIController {
    @Sendable static func apiShow(req: Request) async throws -> DistrictSettings {
        try await req.districtSettings()
    }

    @Sendable static func apiChange(req: Request) async throws -> DistrictSettings {
        try await SettingsService.change(req.context, try req.content.decode(SettingsService.Change.self))
    }
}
