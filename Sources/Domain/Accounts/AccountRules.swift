/// Rules for account names and passwords, checked the same way on every path that sets them.
public enum AccountRules {
    public static let passwordLength = 8...128

    /// Lower-case ASCII letters, digits, `.`, `_` and `-`, 3–32 characters, starting with a letter
    /// or digit. Mobile numbers (job seekers) fit too.
    public static func username(_ raw: String?, into errors: inout FieldErrors) -> String {
        let name = FormText.trimmed(raw).lowercased()
        if name.isEmpty {
            errors.add("username", "error.required")
        } else if !(3...32).contains(name.count)
                    || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
                    || !(name.first!.isLetter || name.first!.isNumber) {
            errors.add("username", "error.username.format")
        }
        return name
    }

    /// Length 8–128 and not one of the most common passwords; the username is not a password.
    public static func password(_ raw: String?, username: String, field: String = "password", into errors: inout FieldErrors) {
        let password = raw ?? ""
        if password.isEmpty {
            errors.add(field, "error.required")
        } else if !passwordLength.contains(password.count) {
            errors.add(field, "error.password.length")
        } else if isCommon(password) || password.lowercased() == username.lowercased() {
            errors.add(field, "error.password.common")
        }
    }

    public static func isCommon(_ password: String) -> Bool {
        let lowered = password.lowercased()
        if commonPasswords.contains(lowered) { return true }
        // One repeated character, or a run of consecutive digits, is as weak as a listed one.
        if Set(lowered).count <= 2 { return true }
        return "01234567890123456789".contains(lowered) || "9876543210987654321".contains(lowered)
    }

    /// The most used passwords in public breach lists, including the Chinese favourites.
    static let commonPasswords: Set<String> = [
        "password", "password1", "password123", "passw0rd", "p@ssw0rd", "p@ssword", "12345678",
        "123456789", "1234567890", "87654321", "11111111", "88888888", "66666666", "00000000",
        "qwertyui", "qwerty123", "qwertyuiop", "1qaz2wsx", "1q2w3e4r", "1q2w3e4r5t", "zaq12wsx",
        "abc12345", "abcd1234", "a1234567", "a123456789", "aa123456", "asdfghjk", "asdf1234",
        "iloveyou", "woaini1314", "woaini520", "5201314520", "1314520520", "admin123", "admin1234",
        "administrator", "welcome1", "welcome123", "letmein1", "sunshine", "princess", "football",
        "baseball", "superman", "starwars", "trustno1", "dragon12", "monkey12", "changeme",
        "changeme123", "test1234", "testtest", "computer", "internet", "qazwsxedc", "123qweasd",
        "123abc456", "abc123456", "a12345678", "zxcvbnm1", "zxcvbnm123", "q1w2e3r4", "fugong123",
        "fugong2020", "wangwei123", "li123456", "zhang123", "123123123", "321321321", "147258369",
    ]
}
