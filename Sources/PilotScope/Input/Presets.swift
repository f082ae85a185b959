/// The presets of Appendix C: real export headers → canonical fields.
public enum Presets {
    /// Every preset name, once, in the order of `all` (shell completion).
    public static var names: [String] {
        var seen = Set<String>()
        return all.map(\.name).filter { seen.insert($0).inserted }
    }

    public static let all: [Preset] = [
        Preset(name: "canonical", kind: .crm, columns: InputKind.crm.fields.map { ($0, [$0]) }),
        Preset(name: "canonical", kind: .touches, columns: InputKind.touches.fields.map { ($0, [$0]) }),
        Preset(name: "canonical", kind: .stage_history, columns: InputKind.stage_history.fields.map { ($0, [$0]) }),
        Preset(
            name: "hubspot", kind: .crm,
            columns: [
                ("record_id", ["Record ID", "Contact ID"]), ("email", ["Email"]), ("first_name", ["First Name"]),
                ("last_name", ["Last Name"]), ("company", ["Company Name"]), ("company_domain", ["Company Domain Name"]),
                ("employees", ["Number of Employees"]), ("industry", ["Industry"]), ("country", ["Country/Region"]),
                ("created_at", ["Create Date"]), ("source", ["Lead Source"]),
                ("mql_at", ["Became a Marketing Qualified Lead Date"]), ("sqm_at", ["Became a Sales Qualified Lead Date"]),
                ("opportunity_at", ["Became an Opportunity Date"]), ("won_at", ["Became a Customer Date"]),
                ("amount", ["Recent Deal Amount"]),
            ]),
        Preset(
            name: "salesforce", kind: .crm,
            columns: [
                ("record_id", ["Id"]), ("email", ["Email"]), ("first_name", ["FirstName"]), ("last_name", ["LastName"]),
                ("company", ["Company"]), ("employees", ["NumberOfEmployees"]), ("industry", ["Industry"]),
                ("country", ["Country"]), ("created_at", ["CreatedDate"]), ("source", ["LeadSource"]),
                ("opportunity_id", ["ConvertedOpportunityId"]),
            ], footer: true),
        Preset(
            name: "salesforce_opportunity_history", kind: .stage_history,
            columns: [("record_id", ["OpportunityId"]), ("stage", ["StageName"]), ("changed_at", ["CreatedDate"])],
            footer: true),
        Preset(
            name: "calendly", kind: .touches,
            columns: [
                ("email", ["Invitee Email"]), ("ts", ["Event Created Date & Time"]), ("meeting_type", ["Event Type Name"]),
                ("utm_campaign", ["UTM Campaign"]), ("utm_source", ["UTM Source"]), ("utm_medium", ["UTM Medium"]),
                ("utm_term", ["UTM Term"]), ("utm_content", ["UTM Content"]),
            ], event: .bookingUnlessCanceled(column: "Canceled")),
        Preset(
            name: "segment", kind: .touches,
            columns: [
                ("visitor_id", ["anonymous_id"]), ("email", ["context_traits_email"]), ("ts", ["timestamp"]),
                ("url", ["url"]), ("utm_source", ["context_campaign_source"]), ("utm_medium", ["context_campaign_medium"]),
                ("utm_campaign", ["context_campaign_name"]), ("utm_term", ["context_campaign_term"]),
                ("utm_content", ["context_campaign_content"]),
            ], event: .constant("page_view")),
    ]

    public static func find(_ name: String, kind: InputKind) -> Preset? {
        all.first { $0.name == name && $0.kind == kind }
    }

    /// `pilotscope presets [NAME]`: the mappings as text.
    public static func describe(_ name: String?) -> String? {
        let chosen = all.filter { name == nil || $0.name == name }
        if chosen.isEmpty { return nil }
        var out = ""
        for p in chosen {
            out += "\(p.name) (\(p.kind.rawValue))\n"
            for (f, hs) in p.columns {
                let req = p.kind.required.contains(f) ? " (required)" : ""
                out += "  \(f.padding(toLength: 16, withPad: " ", startingAt: 0)) ← \(hs.map { "\"\($0)\"" }.joined(separator: " or "))\(req)\n"
            }
            switch p.event {
            case .column: break
            case .constant(let e): out += "  event            = \(e) for every row\n"
            case .bookingUnlessCanceled(let c): out += "  event            = booking, or other where \"\(c)\" is true\n"
            }
            if p.footer { out += "  a report footer (blank line, then one-field rows) is skipped as footer_lines\n" }
            out += "\n"
        }
        return out
    }
}
