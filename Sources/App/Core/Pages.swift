import Domain
import Leaf
import Vapor

/// What every page's layout needs: title, language, the user, the navigation, the CSRF token,
/// a flash message, and whether this is demo data. Each page's view model carries one.
struct PageContext: Encodable {
    struct NavItem: Encodable {
        let label: String
        let href: String
        let current: Bool
        /// A group's entries (the item opens into them); empty for a plain link.
        var children: [NavItem] = []
    }

    struct SignedIn: Encodable {
        let displayName: String
        let username: String
        let roleName: String
    }

    let title: String
    let htmlLang: String
    let user: SignedIn?
    let nav: [NavItem]
    let csrf: String?
    let flash: String?
    let demo: Bool
    let otherLanguageLabel: String
    let otherLanguageHref: String
    /// A form answered on a POST-only address (`/helpdesk/…/replies`): the page's own address,
    /// which `forms.js` puts in the address bar, so reloading, bookmarking and live updates work.
    let address: String?
    /// A page below a menu entry (`/resumption/ID` under `/resumption`): that entry, for the
    /// breadcrumb back to it.
    let parent: NavItem?
}

/// One choice in a `<select>`.
struct SelectOption: Encodable {
    let value: String
    let label: String
    let selected: Bool
}

/// A text input built by the controller, for groups of similar fields.
struct InputField: Encodable {
    let name: String
    let label: String
    let value: String
    let error: String?
}

/// A downloadable file in a page.
struct AttachmentView: Encodable {
    let href: String
    let kindName: String
    let filename: String
    let size: String

    init(href: String, kindName: String, filename: String, bytes: Int) {
        self.href = href
        self.kindName = kindName
        self.filename = filename
        size = "\(max(1, bytes / 1024)) KB"
    }
}

enum Pages {
    /// Builds the layout context. `forms` gives an anonymous visitor a session for the CSRF
    /// token; a signed-in user always has one.
    static func context(_ req: Request, titleKey: String, forms: Bool = false) async throws -> PageContext {
        let user = req.auth.get(User.self)
        var session = req.webSession
        if session == nil, forms { session = try await req.ensureWebSession() }
        var flash: String?
        if let session, let key = session.flashKey {
            flash = req.t(key)
            session.flashKey = nil
            try await session.save(on: req.db)
        }
        let path = req.url.path
        // A form answered on a POST-only address stands for the page it was sent from.
        let address = req.method == .GET ? nil : pageAddress(req.application, path: path)
        let entries = user.map { Modules.navigation(for: $0.role) } ?? []
        let under = entryAbove(address ?? path, among: entries.map(\.href))
        var nav: [PageContext.NavItem] = []
        for entry in entries {
            let item = PageContext.NavItem(label: req.t(entry.key), href: entry.href, current: entry.href == under)
            guard let group = entry.group else { nav.append(item); continue }
            // A group is current when one of its entries is.
            if let index = nav.firstIndex(where: { $0.href == "#" + group }) {
                nav[index].children.append(item)
                if item.current { nav[index] = .init(label: nav[index].label, href: nav[index].href, current: true, children: nav[index].children) }
            } else {
                nav.append(.init(label: req.t(group), href: "#" + group, current: item.current, children: [item]))
            }
        }
        // Groups close the menu; a group of one is a plain link.
        nav = (nav.filter { $0.children.isEmpty } + nav.filter { !$0.children.isEmpty }).map { $0.children.count == 1 ? $0.children[0] : $0 }
        // A record's page leads back to its menu entry; a menu entry's own page needs no crumb.
        let parent = under == (address ?? path) ? nil
            : nav.flatMap { $0.children.isEmpty ? [$0] : $0.children }.first { $0.href == under }
        let other: Language = req.language == .zhHans ? .en : .zhHans
        // The other language keeps the page's filters (`?year=2020`, `?size=above`).
        let kept = (req.method == .GET ? req.url.query : nil).map {
            $0.split(separator: "&").filter { !$0.hasPrefix("lang=") }.joined(separator: "&")
        } ?? ""
        return PageContext(
            title: req.t(titleKey),
            htmlLang: req.language.htmlLang,
            user: user.map { .init(displayName: $0.displayName, username: $0.username, roleName: req.t($0.role.nameKey)) },
            nav: nav,
            csrf: session?.csrfToken,
            flash: flash,
            demo: req.application.holdsDemoData,
            otherLanguageLabel: other == .en ? "English" : "中文",
            otherLanguageHref: "\(path)?\(kept.isEmpty ? "" : kept + "&")lang=\(other.rawValue)",
            address: address,
            parent: parent
        )
    }

    /// The menu entry a page is under: the longest of `hrefs` that is `path` itself or a folder
    /// above it (`/gate/visitors` is under 访客, not also under 门岗; `/workforce/employees/ID`
    /// under 员工防疫). The one rule for the marked entry and the breadcrumb.
    static func entryAbove(_ path: String, among hrefs: [String]) -> String? {
        hrefs.filter { $0 == path || ($0 != "/" && path.hasPrefix($0 + "/")) }.max { $0.count < $1.count }
    }

    /// The GET route that answers `path` (a path, without query), if any.
    static func getRoute(_ app: Application, path: String) -> Route? {
        route(app, .GET, path: path)
    }

    /// The route of `method` that answers `path`, as Vapor's router picks it: compared segment by
    /// segment from the left, a fixed one wins over a parameter (`/jobs/centre` before `/jobs/:jobID`).
    static func route(_ app: Application, _ method: HTTPMethod, path: String) -> Route? {
        let components = path.split(separator: "/")
        return app.routeIndex.routes(method, segments: components.count).filter { route in
            zip(route.path, components).allSatisfy { part, component in
                switch part {
                case .constant(let text): text == component
                case .parameter: true
                default: false
                }
            }
        }.max { fixed($0).lexicographicallyPrecedes(fixed($1)) { !$0 && $1 } }
    }

    private static func fixed(_ route: Route) -> [Bool] {
        route.path.map { if case .constant = $0 { true } else { false } }
    }

    /// The nearest address at or above a form's POST `path` that a browser may GET:
    /// `/helpdesk/ID/replies` → `/helpdesk/ID`, `/workforce/guards` → `/workforce`; nil when
    /// `path` itself is one. A GET that only a parameter matches (`/workforce/employees/:id` for
    /// `…/import`) does not count where the POST's own route names the segment.
    static func pageAddress(_ app: Application, path: String) -> String? {
        // A form of `/x/new` posts to `/x` (a ticket, an application, a user, a departure):
        // answered with its mistakes, it is still the form's page.
        if let form = getRoute(app, path: path + "/new"), case .constant("new")? = form.path.last { return path + "/new" }
        if let get = getRoute(app, path: path) {
            guard let post = route(app, .POST, path: path), fixed(get).lexicographicallyPrecedes(fixed(post), by: { !$0 && $1 }) else { return nil }
        }
        var components = path.split(separator: "/")
        while !components.isEmpty {
            components.removeLast()
            let candidate = "/" + components.joined(separator: "/")
            if getRoute(app, path: candidate) != nil { return candidate }
        }
        return "/"
    }

    /// Whether a link leads somewhere this role may open: its route's declared access permits it.
    static func mayOpen(_ app: Application, _ link: String, as role: Role) -> Bool {
        let path = String(link.prefix { $0 != "?" && $0 != "#" })
        return getRoute(app, path: path)?.declaredAccess?.permits(role) ?? false
    }

    static func render<Context: Encodable>(_ req: Request, _ template: String, _ context: Context,
                                           status: HTTPResponseStatus = .ok) async throws -> Response {
        let view = try await req.view.render(template, context)
        let response = try await view.encodeResponse(for: req)
        response.status = status
        return response
    }

    /// Shows a message on the next page the user sees.
    static func flash(_ req: Request, _ key: String) async throws {
        guard let session = req.webSession else { return }
        session.flashKey = key
        try await session.save(on: req.db)
    }

    struct ErrorPage: Encodable {
        let page: PageContext
        let status: Int
        let heading: String
        let message: String
        let fields: [String]
    }

    static func errorPage(_ req: Request, status: HTTPResponseStatus, message: String,
                          fields: [String: String]) async -> Response {
        do {
            let page = try await context(req, titleKey: "error.title.\(status.code)")
            let context = ErrorPage(page: page, status: Int(status.code), heading: page.title,
                                    message: message, fields: fields.sorted { $0.key < $1.key }.map(\.value))
            return try await render(req, "core/error", context, status: status)
        } catch {
            req.logger.error("error page failed: \(String(reflecting: error))")
            let response = Response(status: status, body: .init(string: message))
            response.headers.contentType = .plainText
            return response
        }
    }
}

/// The routes by method and number of segments, grouped once after registration: a home page
/// asks which route answers a link for each notification, the audit log for each row.
struct RouteIndex: Sendable {
    private let groups: [String: [Route]]

    init(_ routes: [Route]) {
        groups = Dictionary(grouping: routes) { "\($0.method.rawValue) \($0.path.count)" }
    }

    func routes(_ method: HTTPMethod, segments: Int) -> [Route] {
        groups["\(method.rawValue) \(segments)"] ?? []
    }
}

extension Application {
    private struct RouteIndexKey: StorageKey { typealias Value = RouteIndex }

    /// Set by `configure` once every module's routes are registered.
    var routeIndex: RouteIndex {
        get { storage[RouteIndexKey.self] ?? RouteIndex(routes.all) }
        set { storage[RouteIndexKey.self] = newValue }
    }
}
