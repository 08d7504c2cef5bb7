import Domain
import Vapor

/// A step of `RequestPipeline`, before any parser sees a body: a `multipart/form-data` body
/// must have the shape RFC 7578 and RFC 2046 give it, or the request is refused with 400.
///
/// Why: MultipartKit's parser traps (an index out of range, which no Swift code can catch)
/// on a part-header name holding a byte of 0x80 or more, and on an empty boundary; one
/// anonymous request would stop the server. So the body is walked here first, by the same
/// states MultipartKit uses, with every byte checked against the token rules (RFC 9110 §5.6.2)
/// and every part closed, and only a body that passes reaches MultipartKit.
///
/// Text sent as JSON or as a form must not hold control characters (NUL and the rest of C0,
/// and DEL; tab, line feed and carriage return are text): SQLite's C interface would cut a
/// value at NUL, so "NUL\u00001" and "NUL\u00002" were stored as the same employee number.
/// Such a body is refused with 422, naming the field.
enum BodyGuard {
    static func check(_ req: Request) async throws {
        guard let contentType = req.headers.contentType else { return }
        switch (contentType.type, contentType.subType) {
        case ("multipart", _): try await checkMultipart(req, contentType)
        case ("application", "json"), ("application", "x-www-form-urlencoded"):
            // Collected as the route would collect it (these routes take the default limit).
            if req.body.data == nil {
                _ = try await req.body.collect(max: req.application.routes.defaultMaxBodySize.value).get()
            }
            if let body = req.body.data, let field = ControlCharacters.field(in: body, json: contentType.subType == "json") {
                throw FieldErrors(field, "error.text.control")
            }
        default: return
        }
    }

    private static func checkMultipart(_ req: Request, _ contentType: HTTPMediaType) async throws {
        guard let boundary = contentType.parameters["boundary"], MultipartShape.isValidBoundary(boundary) else {
            throw AppError.badRequest(messageKey: "error.multipart")
        }
        if req.body.data == nil {
            _ = try await req.body.collect(max: ByteCount(stringLiteral: Uploads.maxRequestSize).value).get()
        }
        guard let body = req.body.data else { throw AppError.badRequest(messageKey: "error.multipart") }
        guard MultipartShape.isWellFormed(body.readableBytesView, boundary: boundary) else {
            throw AppError.badRequest(messageKey: "error.multipart")
        }
    }
}

/// The shape of a multipart body, checked without building anything. The states are
/// MultipartKit's (`MultipartParser`), so what passes here parses there; the checks are
/// stricter: header names are tokens of ASCII only, at least one part, and the closing
/// delimiter is there.
enum MultipartShape {
    /// RFC 2046 §5.1.1: 1 to 70 characters from `bchars`, not ending in a space.
    static func isValidBoundary(_ boundary: String) -> Bool {
        let bytes = Array(boundary.utf8)
        guard (1...70).contains(bytes.count), bytes.last != 0x20 else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                return true
            default:
                return Array("'()+_,-./:=? ".utf8).contains(byte)
            }
        }
    }

    /// RFC 9110 §5.6.2: `tchar`, ASCII only.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    private enum State {
        case preamble(match: Int)
        case headerLineStart(afterDelimiter: Bool)
        case expectLF(then: After)
        case headerName(length: Int)
        case headerValue
        case body
        case delimiter(match: Int)
        case epilogue
    }

    private enum After { case headerLine, body }

    static func isWellFormed<Bytes: Collection>(_ body: Bytes, boundary: String) -> Bool where Bytes.Element == UInt8 {
        guard isValidBoundary(boundary) else { return false }
        let delimiter = Array("\r\n--\(boundary)".utf8)
        let cr: UInt8 = 13, lf: UInt8 = 10, colon: UInt8 = 58, hyphen: UInt8 = 45
        var state = State.preamble(match: 0)
        var parts = 0
        for byte in body {
            switch state {
            case .preamble(let match):
                // MultipartKit lets the first delimiter go without its leading CRLF.
                let next: Int
                if match == 0, byte == delimiter[2] { next = 3 }
                else if byte == delimiter[match] { next = match + 1 }
                else if match > 0, byte == delimiter[0] { next = 1 }
                else { next = 0 }
                state = next == delimiter.count ? .headerLineStart(afterDelimiter: true) : .preamble(match: next)
            case .headerLineStart(let afterDelimiter):
                if afterDelimiter {
                    // The delimiter line ends with CRLF here (no transport padding).
                    guard byte == cr else { return false }
                    state = .expectLF(then: .headerLine)
                } else if byte == cr {
                    state = .expectLF(then: .body)
                } else if isTokenCharacter(byte) {
                    state = .headerName(length: 1)
                } else {
                    return false
                }
            case .expectLF(let then):
                guard byte == lf else { return false }
                switch then {
                case .headerLine: state = .headerLineStart(afterDelimiter: false)
                case .body: state = .body; parts += 1
                }
            case .headerName(let length):
                if byte == colon { state = .headerValue }
                else if isTokenCharacter(byte), length < 256 { state = .headerName(length: length + 1) }
                else { return false }
            case .headerValue:
                if byte == cr { state = .expectLF(then: .headerLine) }
                else if byte == lf || byte == 0 { return false }
            case .body:
                if byte == delimiter[0] { state = .delimiter(match: 1) }
            case .delimiter(let match):
                if match == delimiter.count {
                    if byte == cr { state = .expectLF(then: .headerLine) }
                    else if byte == hyphen { state = .epilogue }
                    else { return false }
                } else if byte == delimiter[match] {
                    state = .delimiter(match: match + 1)
                } else if byte == delimiter[0] {
                    state = .delimiter(match: 1)
                } else {
                    state = .body
                }
            case .epilogue:
                // "--" closes the body; anything after it is ignored, as MultipartKit does.
                return parts > 0 && byte == hyphen
            }
        }
        return false
    }
}

/// Control characters in a JSON or form body: found by a scan of the raw bytes for their
/// escapes (`\u0000`…`\u001f`, `\u007f`; `%00`…`%1F`, `%7F`), which costs little on the busy
/// paths; only a body that has one is decoded again to name the field.
enum ControlCharacters {
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r") || scalar.value == 0x7F
    }

    /// The name of the first field whose text holds a control character, or nil when none does.
    static func field(in body: ByteBuffer, json: Bool) -> String? {
        let found = body.withUnsafeReadableBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            return json ? hasJSONEscape(bytes) : hasPercentEscape(bytes)
        }
        guard found else { return nil }
        let bytes = Array(body.readableBytesView)
        if json {
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else { return nil }
            return path(in: object)
        }
        for pair in String(decoding: bytes, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            let name = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            if (name + value).unicodeScalars.contains(where: isControl) {
                return name.unicodeScalars.contains(where: isControl) ? "body" : name
            }
        }
        return nil
    }

    private static func path(in value: Any) -> String? {
        switch value {
        case let text as String:
            return text.unicodeScalars.contains(where: isControl) ? "" : nil
        case let object as [String: Any]:
            for (key, inner) in object.sorted(by: { $0.key < $1.key }) {
                if key.unicodeScalars.contains(where: isControl) { return "body" }
                if let found = path(in: inner) { return found.isEmpty ? key : found }
            }
            return nil
        case let array as [Any]:
            return array.lazy.compactMap { path(in: $0) }.first
        default:
            return nil
        }
    }

    /// `\u00` followed by 0 or 1 and a hex digit, or `\u007f`, outside an escaped backslash.
    private static func hasJSONEscape(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index + 5 < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") {
                if bytes[index + 1] == UInt8(ascii: "u"), bytes[index + 2] == UInt8(ascii: "0"), bytes[index + 3] == UInt8(ascii: "0") {
                    let high = bytes[index + 4], low = bytes[index + 5] | 0x20
                    if high == UInt8(ascii: "0") || high == UInt8(ascii: "1") || (high == UInt8(ascii: "7") && low == UInt8(ascii: "f")) {
                        return true
                    }
                }
                index += 2
            } else {
                index += 1
            }
        }
        return false
    }

    private static func hasPercentEscape(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index + 2 < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                let high = bytes[index + 1], low = bytes[index + 2] | 0x20
                if high == UInt8(ascii: "0") || high == UInt8(ascii: "1") || (high == UInt8(ascii: "7") && low == UInt8(ascii: "f")) {
                    return true
                }
            }
            index += 1
        }
        return false
    }
}
