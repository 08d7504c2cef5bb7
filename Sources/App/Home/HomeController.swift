import Domain
import Fluent
import Vapor

/// The first page after sign-in: what this role has to do now. Anonymous visitors see what the
/// platform is, with sign-in and registration.
enum HomeController {
    struct Tile: Encodable {
        let label: String
        let value: String
        let href: String?
    }

    struct Link: Encodable {
        let label: String
        let href: String
    }

    struct NotificationView: Encodable {
        let text: String
        let href: String
        let at: String
    }

    struct HomePage: Encodable {
        let page: PageContext
        let greeting: String
        let roleIntro: String
        let tiles: [Tile]
        let links: [Link]
        let enterprise: EnterpriseSummary?
        let chart: BarChart?
        let queue: WorkQueue?
        let notifications: [NotificationView]
    }

    struct EnterpriseSummary: Encodable {
        let id: UUID
        let name: String
        let status: String
        let statusName: String
        let reviewReason: String?
    }

    struct LandingPage: Encodable {
        let page: PageContext
    }

    @Sendable static func home(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else {
            return try await Pages.render(req, "home/landing", LandingPage(page: try await Pages.context(req, titleKey: "landing.title")))
        }
        var tiles: [Tile] = []
        var links: [Link] = []
        var summary: EnterpriseSummary?
        var chart: BarChart?
        func applications(_ state: ResumptionState) async throws -> Int {
            try await ResumptionApplication.query(on: req.db).filter(\.$state == state).count()
        }
        if [.districtAdmin, .leader, .reviewer].contains(user.role) {
            var rows: [(label: String, value: Int, second: Int?)] = []
            for state in ResumptionState.allCases where state != .draft {
                rows.append((label: req.t(state.nameKey), value: try await applications(state), second: nil))
            }
            chart = BarChart(title: req.t("home.chart.applications"), legend: req.t("home.chart.applications"), rows: rows)
        }
        switch user.role {
        case .districtAdmin:
            let pending = try await Enterprise.query(on: req.db).filter(\.$status == .pending).count()
            let enterprises = try await Enterprise.query(on: req.db).count()
            let users = try await User.query(on: req.db).filter(\.$disabledAt == nil).count()
            tiles = [
                Tile(label: req.t("home.tile.enterprises"), value: String(enterprises), href: "/enterprises"),
                Tile(label: req.t("home.tile.pendingEnterprises"), value: String(pending), href: "/enterprises?status=pending"),
                Tile(label: req.t("home.tile.activeUsers"), value: String(users), href: "/admin/users"),
            ]
            links = [Link(label: req.t("users.new"), href: "/admin/users/new"), Link(label: req.t("audit.title"), href: "/admin/audit")]
        case .reviewer:
            let pending = try await Enterprise.query(on: req.db).filter(\.$status == .pending).count()
            tiles = [
                Tile(label: req.t("home.tile.toReview"), value: String(try await applications(.submitted)), href: "/resumption?state=submitted"),
                Tile(label: req.t("home.tile.pendingEnterprises"), value: String(pending), href: "/enterprises?status=pending"),
            ]
        case .leader:
            tiles = [
                Tile(label: req.t("home.tile.toConfirm"), value: String(try await applications(.passed)), href: "/resumption?state=passed"),
                Tile(label: req.t("home.tile.resumed"), value: String(try await applications(.resumed)), href: "/resumption?state=resumed"),
            ]
            links = [Link(label: req.t("dashboard.title"), href: "/dashboard"), Link(label: req.t("dashboard.briefing.title"), href: "/dashboard/briefing")]
        case .officer:
            let visits = try await SiteVisit.query(on: req.db).filter(\.$officer.$id == user.requireID())
                .filter(\.$status == .scheduled).count()
            let assigned = try await OfficerService.assignedEnterpriseIDs(user, on: req.db).count
            tiles = [
                Tile(label: req.t("home.tile.visitsToDo"), value: String(visits), href: "/visits"),
                Tile(label: req.t("home.tile.assigned"), value: String(assigned), href: "#work-queue"),
            ]
            links = [Link(label: req.t("dispatch.record"), href: "/dispatch")]
        case .portOperator:
            let pending = try await ContainerBooking.query(on: req.db).filter(\.$state ~~ [.requested, .waitlisted]).count()
            let open = try await TrainDeparture.query(on: req.db).filter(\.$storedState == .open).filter(\.$bookingCutoffAt > req.now).count()
            let leaving = try await TrainDeparture.query(on: req.db).filter(\.$storedState ~~ [.open, .closed, .loading])
                .filter(\.$departsAt <= req.now.addingTimeInterval(7 * 86_400)).count()
            tiles = [
                Tile(label: req.t("home.tile.openDepartures"), value: String(open), href: "/freight"),
                Tile(label: req.t("home.tile.bookingsToConfirm"), value: String(pending), href: "/freight#queue"),
                Tile(label: req.t("home.tile.leavingThisWeek"), value: String(leaving), href: "/freight"),
            ]
            links = [Link(label: req.t("freight.departure.new"), href: "/freight/departures/new"),
                     Link(label: req.t("freight.fees"), href: "/freight/fees")]
        case .customsOfficer:
            let waiting = try await ContainerBooking.query(on: req.db).filter(\.$customsStatus ~~ [.declared, .inspection, .held])
                .filter(\.$state ~~ [.confirmed, .loaded]).count()
            tiles = [Tile(label: req.t("home.tile.declarationsWaiting"), value: String(waiting), href: "/freight/customs")]
        case .agent:
            links = [Link(label: req.t("helpdesk.title"), href: "/helpdesk"), Link(label: req.t("policies.title"), href: "/policies")]
        case .enterpriseAdmin, .gateGuard, .employee:
            if let id = user.$enterprise.id, let enterprise = try await Enterprise.find(id, on: req.db) {
                summary = EnterpriseSummary(id: id, name: enterprise.name, status: enterprise.status.rawValue,
                                            statusName: req.t(enterprise.status.nameKey), reviewReason: enterprise.reviewReason)
                if user.role == .enterpriseAdmin, enterprise.status == .verified {
                    if let open = try await ResumptionService.openApplication(of: id, on: req.db) {
                        tiles = [Tile(label: req.t("home.tile.application"), value: req.t(open.state.nameKey), href: "/resumption/\(open.id!)")]
                    } else {
                        links = [Link(label: req.t("resumption.new"), href: "/resumption/new")]
                    }
                }
            }
        case .jobSeeker:
            links = [Link(label: req.t("jobs.resume"), href: "/resume")]
        }
        let context = HomePage(
            page: try await Pages.context(req, titleKey: "home.title"),
            greeting: req.t("home.greeting", user.displayName),
            roleIntro: req.t("home.intro.\(user.role.rawValue)"),
            tiles: tiles, links: links, enterprise: summary, chart: chart,
            queue: try await WorkQueue.build(req, for: user),
            // Only what the reader may open: an enterprise's notice about its site is not the guard's.
            notifications: try await Notification.visible(to: user, on: req.db, limit: 100)
                .filter { Pages.mayOpen(req.application, $0.link, as: user.role) }.prefix(20).map {
                NotificationView(text: req.application.strings.text($0.messageKey, req.language, $0.arguments), href: $0.link,
                                 at: DisplayFormat.dateTime($0.createdAt))
            }
        )
        return try await Pages.render(req, "home/home", context)
    }

    struct Health: Content {
        let status: String
        let database: String
    }

    /// For load balancers: 200 when the database answers, 503 when it does not.
    @Sendable static func health(req: Request) async throws -> Response {
        let health: Health
        let status: HTTPResponseStatus
        do {
            _ = try await PlatformFlag.query(on: req.db).count()
            (health, status) = (Health(status: "ok", database: "ok"), .ok)
        } catch {
            req.logger.error("health check: database did not answer: \(String(reflecting: error))")
            (health, status) = (Health(status: "unavailable", database: "error"), .serviceUnavailable)
        }
        let response = Response(status: status)
        try response.content.encode(health)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    /// The API's description, OpenAPI 3.1.
    @Sendable static func openAPI(req: Request) async throws -> Response {
        let path = req.application.directory.resourcesDirectory + "openapi.yaml"
        let response = try await req.fileio.asyncStreamFile(at: path)
        response.headers.contentType = HTTPMediaType(type: "application", subType: "yaml", parameters: ["charset": "utf-8"])
        return response
    }
}
