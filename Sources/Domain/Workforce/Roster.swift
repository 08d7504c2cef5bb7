import Foundation

/// An employee as entered (form, JSON or a CSV row), checked field by field.
public struct EmployeeDraft: Codable, Equatable, Sendable {
    public var name: String
    public var idNumber: String
    public var mobile: String
    public var employeeNumber: String
    public var department: String
    public var shift: String
    public var homeProvince: String
    public var homeCity: String

    public init(name: String = "", idNumber: String = "", mobile: String = "", employeeNumber: String = "", department: String = "",
                shift: String = "", homeProvince: String = "", homeCity: String = "") {
        self.name = name
        self.idNumber = idNumber
        self.mobile = mobile
        self.employeeNumber = employeeNumber
        self.department = department
        self.shift = shift
        self.homeProvince = homeProvince
        self.homeCity = homeCity
    }

    /// Every field may be left out of a JSON body: a missing one is empty, and the checks say
    /// which are required (the API document marks the same).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) throws -> String { try container.decodeIfPresent(String.self, forKey: key) ?? "" }
        self.init(name: try text(.name), idNumber: try text(.idNumber), mobile: try text(.mobile),
                  employeeNumber: try text(.employeeNumber), department: try text(.department), shift: try text(.shift),
                  homeProvince: try text(.homeProvince), homeCity: try text(.homeCity))
    }

    /// The JSON names, in the CSV template's column order, with the template's Chinese headers.
    public static let columns: [(field: String, header: String)] = [
        ("name", "姓名"), ("idNumber", "身份证号码"), ("mobile", "手机号码"), ("employeeNumber", "工号"),
        ("department", "部门"), ("shift", "班次"), ("homeProvince", "户籍省份"), ("homeCity", "户籍城市"),
    ]
}

/// A checked employee: a valid resident ID and mobile, the text fields trimmed and bounded.
public struct CheckedEmployee: Equatable, Sendable {
    public let name: String
    public let idNumber: ResidentID
    public let mobile: MobileNumber
    public let employeeNumber: String
    public let department: String
    public let shift: String
    public let homeProvince: String
    public let homeCity: String
}

public enum RosterRules {
    public static func check(_ draft: EmployeeDraft, today: Date) throws(FieldErrors) -> CheckedEmployee {
        try check(draft, on: CivilDate(today))
    }

    public static func check(_ draft: EmployeeDraft, on today: CivilDate) throws(FieldErrors) -> CheckedEmployee {
        var errors = FieldErrors()
        let name = FormText.required(draft.name, field: "name", maxLength: 50, into: &errors)
        var id: ResidentID?
        if FormText.trimmed(draft.idNumber).isEmpty {
            errors.add("idNumber", "error.required")
        } else {
            do { id = try ResidentID(draft.idNumber, on: today) } catch { errors.add("idNumber", error.messageKey) }
        }
        var mobile: MobileNumber?
        if FormText.trimmed(draft.mobile).isEmpty {
            errors.add("mobile", "error.required")
        } else {
            do { mobile = try MobileNumber(draft.mobile) } catch { errors.add("mobile", error.messageKey) }
        }
        let number = FormText.required(draft.employeeNumber, field: "employeeNumber", maxLength: 32, into: &errors)
        let optional = { (value: String, field: String) -> String in
            let text = FormText.trimmed(value)
            if text.count > 50 { errors.add(field, "error.tooLong") }
            return text
        }
        let department = optional(draft.department, "department")
        let shift = optional(draft.shift, "shift")
        let province = optional(draft.homeProvince, "homeProvince")
        let city = optional(draft.homeCity, "homeCity")
        guard errors.isEmpty, let id, let mobile else { throw errors }
        return CheckedEmployee(name: name, idNumber: id, mobile: mobile, employeeNumber: number, department: department,
                               shift: shift, homeProvince: province, homeCity: city)
    }
}

/// A roster CSV as people make it: UTF-8 with or without a BOM, or GBK/GB18030 as Excel saves
/// it in China. Every row is checked before anything is imported; all problems are reported
/// with their line numbers.
public enum RosterCSV {
    public struct RowError: Equatable, Sendable, Codable {
        /// The line in the file (the header is line 1).
        public let line: Int
        /// A JSON field name, or `file` for the file itself.
        public let field: String
        public let messageKey: String
        /// Values for the message's `{0}`: the line a duplicate first appeared on.
        public var arguments: [String] = []

        public init(line: Int, field: String, messageKey: String, arguments: [String] = []) {
            self.line = line
            self.field = field
            self.messageKey = messageKey
            self.arguments = arguments
        }
    }

    public struct Parsed: Sendable {
        public let rows: [(line: Int, employee: CheckedEmployee)]
        public let errors: [RowError]
    }

    /// The template: the header row and one example, UTF-8 with a BOM so Excel opens it.
    public static var template: String {
        "\u{FEFF}" + EmployeeDraft.columns.map(\.header).joined(separator: ",") + "\r\n"
            + "张三,11010519491231002X,13800138000,A0001,总装车间,白班,吉林省,长春市\r\n"
    }

    /// UTF-8 (a BOM is dropped) when the bytes are UTF-8, otherwise GB18030 (a superset of GBK).
    public static func decode(_ data: Data) -> String? {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return String(data: bytes, encoding: String.Encoding(rawValue: 0x8000_0632))
    }

    /// RFC 4180 records with the line each starts on: quoted fields may hold commas, quotes
    /// (doubled) and line breaks; CRLF, LF and CR all end a record. Blank lines are skipped.
    public static func records(_ text: String) -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false, wasQuoted = false
        var line = 1, recordLine = 1
        let bytes = Array(text.utf8)
        var index = 0
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
            fields.removeAll(keepingCapacity: true)
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index < bytes.count, bytes[index] == UInt8(ascii: "\"") { field.append(byte); index += 1 } else { quoted = false }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\"") where field.isEmpty && !wasQuoted:
                quoted = true
                wasQuoted = true
            case UInt8(ascii: ","):
                endField()
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                if byte == UInt8(ascii: "\r"), index < bytes.count, bytes[index] == UInt8(ascii: "\n") { index += 1 }
                endRecord()
                line += 1
                recordLine = line
            default:
                field.append(byte)
            }
        }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { endRecord() }
        return records
    }

    /// Header names to JSON field names: the template's Chinese headers or the JSON names.
    static func columnMap(_ header: [String]) -> [String: Int]? {
        var map: [String: Int] = [:]
        for (index, raw) in header.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces)
            if let column = EmployeeDraft.columns.first(where: { $0.header == name || $0.field.lowercased() == name.lowercased() }) {
                map[column.field] = index
            }
        }
        let required = ["name", "idNumber", "mobile", "employeeNumber"]
        return required.allSatisfy { map[$0] != nil } ? map : nil
    }

    /// Checks every row. Employee numbers and ID numbers must be unique within the file.
    public static func parse(_ data: Data, today: Date, maxRows: Int = 200_000) -> Parsed {
        guard let text = decode(data) else {
            return Parsed(rows: [], errors: [RowError(line: 1, field: "file", messageKey: "error.csv.encoding")])
        }
        let all = records(text)
        guard let header = all.first, let map = columnMap(header.fields) else {
            return Parsed(rows: [], errors: [RowError(line: 1, field: "file", messageKey: "error.csv.header")])
        }
        guard all.count - 1 <= maxRows else {
            return Parsed(rows: [], errors: [RowError(line: 1, field: "file", messageKey: "error.csv.tooManyRows")])
        }
        var rows: [(line: Int, employee: CheckedEmployee)] = []
        rows.reserveCapacity(all.count)
        var errors: [RowError] = []
        var numbers: [String: Int] = [:], ids: [String: Int] = [:]
        let day = CivilDate(today)
        for record in all.dropFirst() {
            let value = { (field: String) -> String in map[field].flatMap { $0 < record.fields.count ? record.fields[$0] : nil } ?? "" }
            let draft = EmployeeDraft(name: value("name"), idNumber: value("idNumber"), mobile: value("mobile"),
                                      employeeNumber: value("employeeNumber"), department: value("department"), shift: value("shift"),
                                      homeProvince: value("homeProvince"), homeCity: value("homeCity"))
            do {
                let employee = try RosterRules.check(draft, on: day)
                if let first = numbers[employee.employeeNumber] {
                    errors.append(RowError(line: record.line, field: "employeeNumber", messageKey: "error.csv.duplicate", arguments: [String(first)]))
                } else if let first = ids[employee.idNumber.value] {
                    errors.append(RowError(line: record.line, field: "idNumber", messageKey: "error.csv.duplicate", arguments: [String(first)]))
                } else {
                    numbers[employee.employeeNumber] = record.line
                    ids[employee.idNumber.value] = record.line
                    rows.append((record.line, employee))
                }
            } catch {
                for (field, key) in error.messages.sorted(by: { $0.key < $1.key }) {
                    errors.append(RowError(line: record.line, field: field, messageKey: key))
                }
            }
        }
        return Parsed(rows: rows, errors: errors)
    }
}
