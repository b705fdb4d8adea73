import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A small XML element tree, built with Foundation's (libxml2) parser, namespaces resolved:
/// elements are named by local name and namespace URI, so a CAP document with any prefix or
/// extra namespaces reads the same.
final class XMLElement {
    let name: String
    let namespace: String?
    let line: Int
    var attributes: [String: String]
    var children: [XMLElement] = []
    var text = ""

    init(name: String, namespace: String?, line: Int, attributes: [String: String]) {
        self.name = name
        self.namespace = namespace
        self.line = line
        self.attributes = attributes
    }

    func all(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }
    func first(_ name: String) -> XMLElement? { children.first { $0.name == name } }
    func value(_ name: String) -> String? {
        first(name).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    static func parse(_ bytes: [UInt8]) throws -> XMLElement {
        let builder = Builder()
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        builder.parser = parser
        let ok = parser.parse()
        // libxml2 in push mode may end a truncated document without an error: an element still
        // open at the end says so.
        if ok, let open = builder.stack.last {
            throw AlertParseError("line \(parser.lineNumber)", "malformed XML: the document ends before <\(open.name)> (opened at line \(open.line)) is closed; truncated?")
        }
        if !ok || builder.root == nil {
            let line = parser.lineNumber
            let column = parser.columnNumber
            let reason = builder.failure ?? parser.parserError.map { Builder.describe($0) } ?? "not well-formed XML"
            throw AlertParseError("line \(line), column \(column)", "malformed XML: \(reason)")
        }
        return builder.root!
    }

    final class Builder: NSObject, XMLParserDelegate {
        weak var parser: XMLParser?
        var stack: [XMLElement] = []
        var root: XMLElement?
        var failure: String?

        static func describe(_ error: Error) -> String {
            let ns = error as NSError
            if let message = ns.userInfo[NSLocalizedDescriptionKey] as? String, !message.isEmpty { return message }
            return "XML parser error \(ns.code)"
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            let e = XMLElement(name: local, namespace: namespaceURI, line: parser.lineNumber, attributes: attributeDict)
            if let parent = stack.last { parent.children.append(e) } else if root == nil { root = e }
            stack.append(e)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            _ = stack.popLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            stack.last?.text += String(decoding: CDATABlock, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            if failure == nil { failure = Self.describe(parseError) }
        }
    }
}
