internal import CLibXML2

/// An element of a parsed document: its local name and namespace URI (so that any prefix reads
/// the same), the line of its start tag, its attributes by local name, its child elements and its
/// own text (text and CDATA directly inside it, in order).
public struct XMLElement: Sendable {
    public var name: String
    public var namespace: String?
    public var line: Int
    public var attributes: [String: String]
    public var children: [XMLElement]
    public var text: String

    public func all(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }
    public func first(_ name: String) -> XMLElement? { children.first { $0.name == name } }
}

/// What a document may not exceed; past any of them it is refused, never half-read.
public struct XMLLimits: Sendable {
    public var maxBytes = 16 * 1024 * 1024
    /// Element nesting (libxml2's own limit, 256, stands behind it).
    public var maxDepth = 64
    public var maxNameLength = 256
    public var maxElements = 200_000

    public init() {}
}

/// A document that is not well-formed, breaks a limit or asks for what we never do (a DTD, an
/// external entity), with the line and column where it stopped.
public struct XMLError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String
    public var description: String { "line \(line), column \(column): \(message)" }
}

/// Parses XML with libxml2's C API (Debian's libxml2 2.9), safely for documents from anyone: no
/// network (XML_PARSE_NONET), no external subset or entity loaded (no XML_PARSE_DTDLOAD, no
/// XML_PARSE_NOENT), libxml2's hard limits kept (no XML_PARSE_HUGE), a document with a DOCTYPE
/// refused outright (alerts need none, and it is how entity expansion and external loads get
/// in), nothing printed (XML_PARSE_NOERROR, NOWARNING: the error is returned), and our own limits
/// on size, depth, names and element count.
public enum XMLReader {
    /// libxml2 wants its globals set up once, before any thread parses.
    static let initialised: Bool = {
        xmlInitParser()
        return true
    }()

    public static func parse(_ bytes: [UInt8], limits: XMLLimits = XMLLimits()) throws(XMLError) -> XMLElement {
        guard bytes.count <= limits.maxBytes else {
            throw XMLError(line: 0, column: 0, message: "the document is \(bytes.count) bytes; the limit is \(limits.maxBytes)")
        }
        guard !bytes.isEmpty else { throw XMLError(line: 1, column: 1, message: "the document is empty") }
        _ = initialised
        guard let context = xmlNewParserCtxt() else { throw XMLError(line: 0, column: 0, message: "libxml2 could not make a parser") }
        defer { xmlFreeParserCtxt(context) }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_BIG_LINES.rawValue)
        let document: xmlDocPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { p in
                xmlCtxtReadMemory(context, p, Int32(buffer.count), "document.xml", nil, options)
            }
        }
        guard let document else { throw lastError(context) }
        defer { xmlFreeDoc(document) }
        // An undeclared prefix (`<a:b:c/>`) leaves a tree, but not one whose names mean anything.
        if context.pointee.wellFormed == 0 || context.pointee.nsWellFormed == 0 { throw lastError(context) }
        if document.pointee.intSubset != nil || document.pointee.extSubset != nil {
            throw XMLError(line: 1, column: 1, message: "a DOCTYPE is not accepted (an alert needs no DTD; entities and external loads are refused)")
        }
        guard let root = xmlDocGetRootElement(document) else { throw XMLError(line: 1, column: 1, message: "no root element") }
        var count = 0
        return try element(root, depth: 1, limits: limits, count: &count)
    }

    static func lastError(_ context: xmlParserCtxtPtr) -> XMLError {
        guard let e = xmlCtxtGetLastError(context) else { return XMLError(line: 0, column: 0, message: "not well-formed XML") }
        var message = e.pointee.message.map { String(cString: $0) } ?? "not well-formed XML"
        while message.last?.isWhitespace == true { message.removeLast() }
        return XMLError(line: Int(e.pointee.line), column: Int(e.pointee.int2), message: message)
    }

    static func string(_ p: UnsafePointer<xmlChar>?) -> String? {
        p.map { String(cString: $0) }
    }

    static func element(_ node: xmlNodePtr, depth: Int, limits: XMLLimits, count: inout Int) throws(XMLError) -> XMLElement {
        let line = Int(xmlGetLineNo(node))
        guard depth <= limits.maxDepth else {
            throw XMLError(line: line, column: 0, message: "elements nested deeper than \(limits.maxDepth)")
        }
        count += 1
        guard count <= limits.maxElements else {
            throw XMLError(line: line, column: 0, message: "more than \(limits.maxElements) elements")
        }
        let name = string(node.pointee.name) ?? ""
        guard name.utf8.count <= limits.maxNameLength else {
            throw XMLError(line: line, column: 0, message: "an element name longer than \(limits.maxNameLength) bytes")
        }
        var attributes: [String: String] = [:]
        var attribute = node.pointee.properties
        while let a = attribute {
            let key = string(a.pointee.name) ?? ""
            guard key.utf8.count <= limits.maxNameLength else {
                throw XMLError(line: line, column: 0, message: "an attribute name longer than \(limits.maxNameLength) bytes")
            }
            // The value's text nodes, read in place (no copy for us to free).
            var value = ""
            var part = a.pointee.children
            while let p = part {
                value += string(p.pointee.content) ?? ""
                part = p.pointee.next
            }
            attributes[key] = value
            attribute = a.pointee.next
        }
        var children: [XMLElement] = []
        var text = ""
        var child = node.pointee.children
        while let c = child {
            switch c.pointee.type {
            case XML_ELEMENT_NODE: children.append(try element(c, depth: depth + 1, limits: limits, count: &count))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE: text += string(c.pointee.content) ?? ""
            default: break
            }
            child = c.pointee.next
        }
        return XMLElement(name: name, namespace: string(node.pointee.ns?.pointee.href), line: line,
                          attributes: attributes, children: children, text: text)
    }
}
