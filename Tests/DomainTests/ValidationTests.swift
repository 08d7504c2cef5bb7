import Domain
import Foundation
import Testing

@Suite("Identifiers and numbers")
struct ValidationTests {
    @Test("The standard's credit code example is valid; a wrong check character or letter is not")
    func creditCode() throws {
        #expect(try CreditCode("91350100M000100Y43").value == "91350100M000100Y43")
        #expect(try CreditCode(" 91350100m000100y43 ").value == "91350100M000100Y43")
        #expect(throws: CreditCode.Problem.checkCharacter) { try CreditCode("91350100M000100Y44") }
        #expect(throws: CreditCode.Problem.character) { try CreditCode("91350100M000100Y4Z") }
        #expect(throws: CreditCode.Problem.length) { try CreditCode("91350100M000100Y4") }
        #expect(throws: CreditCode.Problem.character) { try CreditCode("91350100M000100I43") }
    }

    @Test("Resident ID numbers: check character, birth date, province")
    func residentID() throws {
        let today = Date(timeIntervalSince1970: 1_581_120_000)
        #expect(try ResidentID("11010519491231002X", today: today).masked == "110105********002X")
        #expect(try ResidentID("440524188001010014", today: today).value == "440524188001010014")
        #expect(throws: ResidentID.Problem.checkCharacter) { try ResidentID("110105194912310021", today: today) }
        #expect(throws: ResidentID.Problem.province) { try ResidentID("99010519491231002X", today: today) }
        #expect(throws: ResidentID.Problem.birthDate) { try ResidentID("110105194902300022", today: today) }
        #expect(throws: ResidentID.Problem.format) { try ResidentID("1101051949123100", today: today) }
    }

    @Test("Mobile numbers lose +86, spaces and hyphens, and are masked")
    func mobile() throws {
        #expect(try MobileNumber("+86 138-0013-8000").value == "13800138000")
        #expect(try MobileNumber("13800138000").masked == "138****8000")
        #expect(throws: MobileNumber.Invalid.self) { try MobileNumber("12800138000") }
        #expect(throws: MobileNumber.Invalid.self) { try MobileNumber("1380013800") }
        #expect(throws: MobileNumber.Invalid.self) { try MobileNumber("1380013800a") }
    }

    @Test("Passwords: length and common ones refused")
    func passwords() {
        func check(_ password: String, username: String = "someone") -> String? {
            var errors = FieldErrors()
            AccountRules.password(password, username: username, into: &errors)
            return errors.messages["password"]
        }
        #expect(check("Str0ng-Passw0rd") == nil)
        #expect(check("short") == "error.password.length")
        #expect(check(String(repeating: "x", count: 129)) == "error.password.length")
        #expect(check("password123") == "error.password.common")
        #expect(check("12345678") == "error.password.common")
        #expect(check("aaaaaaaaaa") == "error.password.common")
        #expect(check("someone1234", username: "someone1234") == "error.password.common")
        #expect(check("") == "error.required")
    }

    @Test("Usernames: lower-case letters, digits and . _ -")
    func usernames() {
        var errors = FieldErrors()
        #expect(AccountRules.username(" Zhang.Wei ", into: &errors) == "zhang.wei")
        #expect(errors.isEmpty)
        _ = AccountRules.username("张伟", into: &errors)
        #expect(errors.messages["username"] == "error.username.format")
    }
}

@Suite("Login throttling")
struct LoginThrottleTests {
    let now = Date(timeIntervalSince1970: 1_000_000)

    @Test("Four failures pass; the fifth within 15 minutes blocks until the oldest ages out")
    func accountLimit() {
        let throttle = LoginThrottle()
        let four = (1...4).map { now.addingTimeInterval(Double(-$0 * 60)) }
        #expect(throttle.decide(accountFailures: four, addressFailures: [], now: now) == .allowed)
        let five = four + [now.addingTimeInterval(-600)]
        // The oldest of the five is 10 minutes old: 5 more minutes to wait.
        #expect(throttle.decide(accountFailures: five, addressFailures: [], now: now) == .blocked(retryAfter: 300))
        let old = five.map { $0.addingTimeInterval(-900) }
        #expect(throttle.decide(accountFailures: old, addressFailures: [], now: now) == .allowed)
    }

    @Test("Twenty failures from one address block it")
    func addressLimit() {
        let throttle = LoginThrottle()
        let nineteen = (1...19).map { now.addingTimeInterval(Double(-$0)) }
        #expect(throttle.decide(accountFailures: [], addressFailures: nineteen, now: now) == .allowed)
        let twenty = nineteen + [now.addingTimeInterval(-30)]
        #expect(throttle.decide(accountFailures: [], addressFailures: twenty, now: now) == .blocked(retryAfter: 870))
    }
}

@Suite("Enterprise registration")
struct EnterpriseRegistrationTests {
    func registration(creditCode: String = "91350100M000100Y43", phone: String = "13800138000",
                      zone: String = "jingkai", staff: Int? = 10) -> EnterpriseRegistration {
        EnterpriseRegistration(name: "长春测试", creditCode: creditCode, legalRepresentative: "张三", contactName: "李四",
                               contactPhone: phone, address: "长春", zone: zone, industry: "制造",
                               aboveDesignatedSize: nil, staffCount: staff)
    }

    @Test("A valid registration is normalised")
    func valid() throws {
        let valid = try registration(phone: "+86 138 0013 8000").validate(zones: ["jingkai"])
        #expect(valid.contactPhone.value == "13800138000")
        #expect(valid.aboveDesignatedSize == false)
    }

    @Test("Every bad field is reported at once, by name")
    func invalid() {
        #expect(throws: FieldErrors.self) { try registration().validate(zones: []) }
        do {
            _ = try registration(creditCode: "91350100M000100Y44", phone: "123", zone: "nowhere", staff: -1)
                .validate(zones: ["jingkai"])
            Issue.record("expected field errors")
        } catch {
            #expect(error.messages == [
                "creditCode": "error.creditCode.check", "contactPhone": "error.mobile.invalid",
                "zone": "error.zone.unknown", "staffCount": "error.staffCount.range",
            ])
        }
    }

    @Test("Only a pending registration is reviewed")
    func review() throws {
        #expect(try EnterpriseStatus.pending.reviewed(.approve) == .verified)
        #expect(try EnterpriseStatus.pending.reviewed(.refuse) == .refused)
        #expect(throws: EnterpriseStatus.IllegalTransition.self) { try EnterpriseStatus.verified.reviewed(.refuse) }
        #expect(throws: EnterpriseStatus.IllegalTransition.self) { try EnterpriseStatus.refused.reviewed(.approve) }
    }
}
