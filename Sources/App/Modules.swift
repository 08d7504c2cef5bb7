/// Every module of the platform, in order: their tables are made in this order (a module's
/// tables may refer to those of the modules before it), and menus list their entries in it.
/// How a module is built, and how to add one: the README.
enum Modules {
    static let all: [Module] = [
        .platform, .home, .enterprises, .accounts, .settings, .resumption, .officers, .policies, .helpdesk, .jobs, .workforce,
        .freight, .dashboard, .site,
    ]
}
