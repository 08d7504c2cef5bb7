import Crypto
import Domain
import Fluent
import Foundation
import Vapor

/// An uploaded file's bytes, kept in the database so that every app instance can serve every
/// file (several instances behind a load balancer share PostgreSQL, not a disk).
final class StoredFile: Model, @unchecked Sendable {
    static let schema = "stored_files"

    @ID(key: .id) var id: UUID?
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Field(key: "sha256") var sha256: String
    @Field(key: "data") var data: Data
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

struct CreateStoredFiles: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StoredFile.schema)
            .id()
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("sha256", .string, .required)
            .field("data", .data, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StoredFile.schema).delete()
    }
}

/// A form or request that carries one file (`multipart/form-data`, field `file`), and for
/// a resumption application's documents, which kind it is.
struct Upload: Content {
    var kind: String?
    var file: File?
}

/// The upload rules, one place: PDF, JPEG or PNG recognised by their bytes, not their name; a
/// size limit (a district setting); a display name with no path, control or quoting characters.
enum Uploads {
    /// The most a request carrying files may send; each file's own limit is a district setting.
    static let maxRequestSize = "25mb"

    enum Kind: String {
        case pdf = "application/pdf", jpeg = "image/jpeg", png = "image/png"

        var fileExtension: String {
            switch self { case .pdf: "pdf"; case .jpeg: "jpg"; case .png: "png" }
        }
    }

    static func sniff(_ data: Data) -> Kind? {
        let bytes = [UInt8](data.prefix(8))
        if bytes.starts(with: [0x25, 0x50, 0x44, 0x46, 0x2D]) { return .pdf }            // %PDF-
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        return nil
    }

    /// Checks the file and returns it unsaved, or throws a field error on `field`.
    static func check(_ file: File?, field: String, maxBytes: Int) throws(FieldErrors) -> (StoredFile, name: String) {
        guard let file, file.data.readableBytes > 0 else { throw FieldErrors(field, "error.upload.missing") }
        guard file.data.readableBytes <= maxBytes else { throw FieldErrors(field, "error.upload.tooLarge") }
        let data = Data(buffer: file.data)
        guard let kind = sniff(data) else { throw FieldErrors(field, "error.upload.type") }
        let stored = StoredFile()
        stored.contentType = kind.rawValue
        stored.size = data.count
        stored.sha256 = SHA256.hash(data: data).hex
        stored.data = data
        return (stored, displayName(file.filename, kind: kind))
    }

    /// The last path component, without control characters, quotes or separators, with the
    /// extension that matches the content.
    static func displayName(_ raw: String, kind: Kind) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(last.unicodeScalars.filter { scalar in
            !CharacterSet.controlCharacters.contains(scalar) && !"\"';:<>|*?%".unicodeScalars.contains(scalar)
        }).trimmingCharacters(in: .whitespaces)
        var base = cleaned
        if let dot = base.lastIndex(of: ".") { base = String(base[..<dot]) }
        base = base.trimmingCharacters(in: CharacterSet(charactersIn: ". "))
        if base.isEmpty { base = "file" }
        return String(base.prefix(80)) + "." + kind.fileExtension
    }

    /// A request's file checked against the district's size limit, stamped with the request's
    /// time, ready to store: what every upload form and endpoint starts with.
    static func accept(_ file: File?, field: String = "file", _ req: Request) async throws -> (StoredFile, name: String) {
        try await accept(file, field: field, req.context)
    }

    static func accept(_ file: File?, field: String = "file", _ ctx: ServiceContext) async throws -> (StoredFile, name: String) {
        let (stored, name) = try check(file, field: field, maxBytes: try await ctx.settings().maxUploadBytes)
        stored.createdAt = ctx.now
        return (stored, name)
    }

    /// Serves a stored file as a download, never rendered in the page's origin as HTML.
    static func response(_ file: StoredFile, name: String) -> Response {
        let response = Response(status: .ok, body: .init(data: file.data))
        response.headers.replaceOrAdd(name: .contentType, value: file.contentType)
        let ascii = name.unicodeScalars.allSatisfy { $0.isASCII } ? name : "download.\(name.split(separator: ".").last ?? "bin")"
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "download"
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }
}
