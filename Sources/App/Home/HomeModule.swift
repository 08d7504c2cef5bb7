import Domain
import Vapor

extension Module {
    /// Each role's home page, the health check, the API document.
    static let home = Module(
        name: "home",
        routes: { r in
            r.root.get("healthz", use: HomeController.health).access(.anyone)
            r.root.get("api", "openapi.yaml", use: HomeController.openAPI).access(.anyone)
            r.root.get(use: HomeController.home).access(.anyone)
        }
    )
}
