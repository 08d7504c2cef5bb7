import Domain
import Vapor

extension Module {
    /// Workforce health and the gate (员工防疫): roster, screening, quarantine, daily reports and
    /// the health code, the gate (and checkpoints inside the site) and visitors, fever alerts,
    /// supplies, the daily summary.
    static let workforce = Module(
        name: "workforce",
        routes: { r in
            let ownEnterprise = Access.roles(.enterpriseAdmin, enterprise: "enterpriseID")
            typealias A = WorkforceAPIController
            let roster = r.api.grouped("enterprises", ":enterpriseID")
            roster.post("employees", use: A.addEmployee).access(ownEnterprise)
            // A roster of 100,000 rows is about 8 MB of CSV.
            roster.on(.POST, "employees", "import", body: .collect(maxSize: "32mb"), use: A.importEmployees).access(ownEnterprise)
            roster.get("employees", use: A.listEmployees).access(ownEnterprise)
            roster.get("employees", "export", use: A.exportEmployees).access(ownEnterprise)
            roster.get("employees", "not-reported", use: A.notReported).access(ownEnterprise)
            roster.get("screening", use: A.screening).access(ownEnterprise)
            roster.get("quarantines", use: A.quarantines).access(ownEnterprise)
            roster.post("quarantines", use: A.startQuarantine).access(ownEnterprise)
            roster.post("quarantines", ":quarantineID", "release", use: A.releaseQuarantine).access(ownEnterprise)
            roster.post("quarantines", ":quarantineID", "extension", use: A.extendQuarantine).access(ownEnterprise)
            roster.post("quarantines", ":quarantineID", "readings", use: A.quarantineReading).access(ownEnterprise)
            roster.get("fever-alerts", use: A.alerts).access(ownEnterprise)
            roster.post("fever-alerts", ":alertID", "handled", use: A.handleAlert).access(ownEnterprise)
            roster.get("supplies", use: A.supplies).access(ownEnterprise)
            roster.post("supplies", use: A.recordSupply).access(ownEnterprise)
            roster.post("supplies", "request", use: A.requestSupplies).access(ownEnterprise)
            roster.get("checkpoints", use: A.checkpoints).access(.roles(.enterpriseAdmin, .gateGuard, enterprise: "enterpriseID"))
            roster.post("checkpoints", use: A.addCheckpoint).access(ownEnterprise)
            roster.get("daily-summary", use: A.dailySummary)
                .access(.roles(.enterpriseAdmin, .officer, .reviewer, .districtAdmin, .leader, enterprise: "enterpriseID"))
            r.api.get("employees", "template", use: A.template).access(.roles(.enterpriseAdmin))
            // The employee themself or their enterprise admin (checked in `Roster.find`).
            let person = Access.roles(.enterpriseAdmin, .employee)
            r.api.get("employees", ":employeeID", use: A.showEmployee).access(person)
            r.api.patch("employees", ":employeeID", use: A.changeEmployee).access(.roles(.enterpriseAdmin))
            r.api.get("employees", ":employeeID", "id-number", use: A.revealID).access(.roles(.enterpriseAdmin))
            r.api.post("employees", ":employeeID", "travel-records", use: A.travel).access(person)
            r.api.get("employees", ":employeeID", "travel-records", use: A.travelRecords).access(person)
            r.api.get("employees", ":employeeID", "health-reports", use: A.reports).access(person)
            r.api.get("employees", ":employeeID", "health-code", use: A.healthCode).access(person)
            r.api.post("health-reports", use: A.report).access(person)
            r.api.get("gate-pass.svg", use: A.passImage).access(.roles(.employee))
            let gate = Access.roles(.gateGuard, .enterpriseAdmin)
            r.api.post("gate", "check-ins", use: A.checkIn).access(gate)
            r.api.get("gate", "check-ins", use: A.gateLog).access(gate)
            r.api.post("gate", "visitors", use: A.registerVisitor).access(gate)
            r.api.get("gate", "visitors", use: A.visitors).access(gate)
            r.api.post("gate", "visitors", ":visitorID", "check-out", use: A.checkOutVisitor).access(gate)

            typealias W = WorkforcePagesController
            r.root.get("health", use: W.health).access(.roles(.employee))
            r.root.post("health", use: W.submitReport).access(.roles(.employee))
            r.root.post("health", "travel", use: W.recordOwnTravel).access(.roles(.employee))
            r.root.get("gate", use: W.gate).access(gate)
            r.root.post("gate", use: W.checkIn).access(gate)
            r.root.get("gate", "visitors", use: W.visitors).access(gate)
            r.root.post("gate", "visitors", use: W.registerVisitor).access(gate)
            r.root.post("gate", "visitors", ":visitorID", "check-out", use: W.checkOutVisitor).access(gate)
            typealias O = WorkforceOfficePagesController
            let office = Access.roles(.enterpriseAdmin)
            r.root.get("workforce", use: O.overview).access(office)
            r.root.post("workforce", "alerts", ":alertID", "handled", use: O.handleAlert).access(office)
            r.root.post("workforce", "guards", use: O.addGuard).access(office)
            r.root.post("workforce", "checkpoints", use: O.addCheckpoint).access(office)
            r.root.get("workforce", "employees", use: O.roster).access(office)
            r.root.post("workforce", "employees", use: O.addEmployee).access(office)
            r.root.on(.POST, "workforce", "employees", "import", body: .collect(maxSize: "32mb"), use: O.importEmployees).access(office)
            r.root.get("workforce", "imports", ":token", use: O.importProgress).access(office)
            r.root.get("workforce", "employees", "export", use: O.exportRoster).access(office)
            r.root.get("workforce", "employees", "template", use: O.template).access(office)
            r.root.get("workforce", "employees", ":employeeID", use: O.employee).access(office)
            r.root.post("workforce", "employees", ":employeeID", use: O.changeEmployee).access(office)
            r.root.post("workforce", "employees", ":employeeID", "reveal", use: O.revealID).access(office)
            r.root.post("workforce", "employees", ":employeeID", "travel", use: O.recordTravel).access(office)
            r.root.post("workforce", "employees", ":employeeID", "report", use: O.reportFor).access(office)
            r.root.post("workforce", "employees", ":employeeID", "account", use: O.makeAccount).access(office)
            r.root.get("workforce", "screening", use: O.screening).access(office)
            r.root.post("workforce", "quarantines", use: O.startQuarantine).access(office)
            r.root.post("workforce", "quarantines", ":quarantineID", ":action", use: O.quarantineAction).access(office)
            r.root.get("workforce", "supplies", use: O.supplies).access(office)
            r.root.post("workforce", "supplies", use: O.recordSupply).access(office)
            r.root.post("workforce", "supplies", "request", use: O.requestSupplies).access(office)
            r.root.get("workforce", "district", use: O.district).access(.roles(.districtAdmin, .leader, .reviewer, .officer))
        },
        migrations: [CreateWorkforce(), IndexEmployeesByStatus(), IndexGateDay(), IndexGateByMoment(), CreateCheckpoints()],
        navigation: [
            NavigationEntry("nav.workforce", "/workforce/district", [.districtAdmin, .reviewer, .leader, .officer]),
            NavigationEntry("nav.workforce", "/workforce", [.enterpriseAdmin]),
            NavigationEntry("nav.health", "/health", [.employee]),
            NavigationEntry("nav.gate", "/gate", [.gateGuard]),
            NavigationEntry("nav.visitors", "/gate/visitors", [.gateGuard]),
        ],
        jobs: [
            // Retention: in the night, the hour from 3:00 China Standard Time.
            BackgroundJob(name: "retention purge", initialDelay: .minutes(1), every: .hours(1)) { app, now in
                guard CivilDate.calendar.component(.hour, from: now) == 3 else { return }
                let outcome = try await Retention.purge(app, now: now)
                app.logger.notice("retention purge before \(outcome.before): \(outcome.healthReports) reports, \(outcome.gateCheckIns) gate, \(outcome.visitors) visitors")
            },
        ],
        commands: [("purge", PurgeCommand()), ("bench-workforce", WorkforceBenchmarkCommand())],
        demo: { try await DemoWorkforce(db: $0.db, now: $0.now, enterprises: $0.enterprises, vault: $0.vault).load() }
    )
}
