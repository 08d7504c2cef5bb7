import Domain
import Vapor

/// Who may call a route. Every route declares one; a route without one answers 500 (fail
/// closed), and the route-walking test fails.
public struct Access: Sendable {
    enum Who: Sendable {
        case anyone
        case signedIn
        case roles(Set<Role>)
    }

    let who: Who
    /// The path parameter holding an enterprise id, when the route touches one enterprise's
    /// data. Enterprise-side accounts of another enterprise get 404 there.
    let enterpriseParameter: String?

    static let anyone = Access(who: .anyone, enterpriseParameter: nil)
    static let signedIn = Access(who: .signedIn, enterpriseParameter: nil)

    static func roles(_ roles: Role..., enterprise parameter: String? = nil) -> Access {
        Access(who: .roles(Set(roles)), enterpriseParameter: parameter)
    }

    static func roles(_ roles: Set<Role>, enterprise parameter: String? = nil) -> Access {
        Access(who: .roles(roles), enterpriseParameter: parameter)
    }

    func permits(_ role: Role) -> Bool {
        switch who {
        case .anyone, .signedIn: true
        case .roles(let roles): roles.contains(role)
        }
    }

    static let userInfoKey = "fugong.access"
}

extension Route {
    /// Declares who may call this route.
    @discardableResult
    func access(_ access: Access) -> Route {
        userInfo[Access.userInfoKey] = access
        return self
    }

    var declaredAccess: Access? { userInfo[Access.userInfoKey] as? Access }
}

/// Enforces each route's declared access: 401 without a user, 403 for a role that may not,
/// 404 when an enterprise account reaches for another enterprise's data.
/// A step of `RequestPipeline`.
enum AccessGuard {
    static func check(_ req: Request) throws {
        guard let access = req.route?.declaredAccess else {
            throw AppError.internalError("route \(req.url.path) declares no access")
        }
        if case .anyone = access.who { return }
        let user = try req.requireUser()
        guard access.permits(user.role) else { throw AppError.forbidden }
        if let parameter = access.enterpriseParameter {
            guard let id = req.parameters.get(parameter, as: UUID.self) else { throw AppError.notFound }
            try req.checkEnterprise(id, for: user)
        }
    }
}

extension Request {
    /// Enterprise-side accounts see their own enterprise only; to them others do not exist.
    func checkEnterprise(_ id: UUID, for user: User) throws {
        if user.role.belongsToEnterprise, user.$enterprise.id != id { throw AppError.notFound }
    }
}
