import XCTest

@testable import PilotScope

/// Each preset on a small file with its product's real headers (Appendix C); values hand-checked.
final class PresetTests: XCTestCase {
    func cell(_ t: Table, _ row: Int, _ column: String) -> String { t.rows[row][t.columns.firstIndex(of: column)!].plain }

    func testHubSpotCalendlySegmentAndOpportunityHistory() throws {
        let d = Support.tempDir()
        Support.write(
            d + "/pilotscope.yaml",
            """
            as_of: 2026-05-01T00:00:00Z
            inputs:
              crm: { files: [hubspot.csv], preset: hubspot, input_timezone: America/New_York }
              touches:
                - { files: [calendly.csv], preset: calendly, input_timezone: America/New_York }
                - { files: [segment.csv], preset: segment }
              stage_history: { files: [history.csv], preset: salesforce_opportunity_history, stages: { "Closed Won": won } }
            pilots:
              - id: acme
                motion: co_marketing
                start: 2026-03-02
                end: 2026-03-31
                timezone: America/New_York
                match: { meeting_types: ["Acme Assessment"], utm: { source: acme } }
                icp: [{ field: industry, in: [finance] }]
                primary_metric: sqm
                thresholds: { stop: ["sqm < 1"] }
            """)
        // HubSpot: "Contact ID" is the alternative record id header; times are portal-local.
        Support.write(
            d + "/hubspot.csv",
            """
            "Contact ID","First Name","Last Name","Email","Create Date","Lead Source","Became a Sales Qualified Lead Date","Industry","Number of Employees"
            101,Ana,Berg,ana@x.com,2026-03-03 09:00,Webinar,2026-03-10 10:00,finance,300
            102,Ben,Chen,ben@x.com,2026-03-04 09:00,,,retail,50

            """)
        // Calendly: booked time is "Event Created Date & Time"; a cancelled row is `other`.
        Support.write(
            d + "/calendly.csv",
            """
            Invitee Name,Invitee Email,Event Type Name,Start Date & Time,Event Created Date & Time,Canceled,UTM Source,UTM Campaign
            Ana Berg,ana@x.com,Acme Assessment,2026-03-12 10:00 am,2026-03-05 2:15 pm,false,,
            Ben Chen,ben@x.com,acme assessment,2026-03-13 10:00 am,2026-03-06 9:00 am,TRUE,,
            Ben Chen,ben@x.com,Acme Assessment,2026-03-14 10:00 am,2026-03-06 9:05 am,false,,

            """)
        Support.write(
            d + "/segment.csv",
            """
            anonymous_id,context_traits_email,timestamp,url,context_campaign_source,context_campaign_name
            s1,,2026-03-04T12:00:00Z,https://x.com/p,acme,spring
            s2,,2026-02-01T12:00:00Z,https://x.com/p,acme,spring

            """)
        Support.write(
            d + "/history.csv",
            """
            OpportunityId,StageName,CreatedDate
            101,Closed Won,2026-03-20T10:00:00.000+0000
            999,Closed Won,2026-03-21T10:00:00.000+0000

            """)
        let r = try Support.report(config: d + "/pilotscope.yaml")
        let funnel = r.tables.first { $0.name == "funnel" }!
        // Touches of acme: 3 Calendly rows (the cancelled one matches by meeting type but is no
        // booking) + 1 Segment page view in the window = 4; identities ana, ben, s1 = 3;
        // meetings ana, ben = 2. Ana: sqm 03-10 and won 03-20 (history) → mql/sqm/opp/won 1.
        XCTAssertEqual(
            ["touches", "unique_visitors", "meetings_booked", "leads", "mql", "sqm", "opportunities", "won"].map { cell(funnel, 0, $0) },
            ["4", "3", "2", "2", "1", "1", "1", "1"])
        let attribution = Support.csv(r, "attribution")
        // 2:15 pm EST = 19:15Z; Ben's booking (not the cancelled row) at 9:05 am EST = 14:05Z.
        XCTAssertEqual(
            attribution,
            """
            pilot_id,record_id,rule,evidence,attributed_at,contested_with
            acme,101,link,Acme Assessment,2026-03-05T19:15:00Z,
            acme,102,link,Acme Assessment,2026-03-06T14:05:00Z,

            """)
        let quality = Support.csv(r, "quality")
        XCTAssertTrue(quality.contains("history.csv,,footer_lines,0\n"), quality)
        XCTAssertTrue(quality.contains("all,,history_unknown_record,1\n"), quality)
        XCTAssertTrue(quality.contains("calendly.csv,,rows_kept,3\n"), quality)
    }

    func testSalesforceReportFooter() throws {
        let d = Support.tempDir()
        Support.write(
            d + "/leads.csv",
            """
            Id,FirstName,LastName,Email,Company,NumberOfEmployees,Industry,Country,CreatedDate,LeadSource,ConvertedOpportunityId
            00Q000000000001AAA,Ana,Berg,ana@x.com,"Acme, Inc.",300,finance,US,2026-03-03T14:00:00.000+0000,Partner Pilot: Acme,006A
            stray
            00Q000000000002AAA,Ben,Chen,ben@x.com,Globex,50,retail,US,2026-03-04T14:00:00.000+0000,,

            "Confidential Information - Do Not Distribute"
            "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."
            "Generated By:  Ana Admin  3/31/2026 10:15 AM"

            """)
        let preset = Presets.find("salesforce", kind: .crm)!
        let header = try InputPlan.readHeader(d + "/leads.csv", delimiter: 0x2C, backend: .isal)
        let mapping = try ColumnMapping(kind: .crm, header: header, preset: preset, overrides: [:], file: "leads.csv")
        XCTAssertEqual(mapping.index[CRMField.opportunity_id.rawValue], 10)
        let f = FileContext(
            index: 0, path: "leads.csv", location: d + "/leads.csv", kind: .crm, mapping: mapping, delimiter: 0x2C, timestamps: TimestampParser())
        for (threads, size) in [1, 2].flatMap({ t in [16, 64, 4 << 20].map { (t, $0) } }) {
            let (_, accounts) = try Pipeline<ScanProcessor>(threads: threads).run(files: [f], chunkSize: size) { ScanProcessor() }
            let a = accounts[0]
            // The one-field row between records is a rejected row; the blank line and three text
            // lines after the last record are the footer (B28), not rows and not blank lines.
            XCTAssertEqual([a.rowsRead, a.rowsKept, a.rowsRejected, a.blankLines, a.footerLines], [3, 2, 1, 0, 4], "threads \(threads)")
            XCTAssertEqual(a.rejects.map(\.line), [3])
        }
    }

    /// A Lead export as Salesforce writes it: the last data row, a blank line, then the three
    /// quoted one-field footer lines (B28); optionally a blank line earlier in the data.
    static func leadExport(crlf: Bool, earlierBlank: Bool) -> String {
        let lines =
            [
                "Id,FirstName,LastName,Email,Company,NumberOfEmployees,Industry,Country,CreatedDate,LeadSource,ConvertedOpportunityId",
                "00Q000000000001AAA,Ana,Berg,ana@x.com,\"Acme, Inc.\",300,finance,US,2026-03-03T14:00:00.000+0000,Partner Pilot: Acme,006A",
            ] + (earlierBlank ? [""] : []) + [
                "00Q000000000002AAA,Ben,Chen,ben@x.com,Globex,50,retail,US,2026-03-04T14:00:00.000+0000,,",
                "",
                "\"Confidential Information - Do Not Distribute\"",
                "\"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"",
                "\"Generated By:  Ana Admin  3/31/2026 10:15 AM\"",
            ]
        let eol = crlf ? "\r\n" : "\n"
        return lines.joined(separator: eol) + eol
    }

    /// The footer through the built binary at its default chunk size (`scan`, and `report` under
    /// the default max_reject_rate), LF and CRLF, with and without an earlier blank line, plain
    /// and gzip, on 1 and 2 threads. It once reported `footer_lines 0` and rejected the footer.
    func testSalesforceFooterThroughTheBinary() throws {
        for crlf in [false, true] {
            for earlierBlank in [false, true] {
                for gzip in [false, true] {
                    let d = Support.tempDir()
                    let text = Self.leadExport(crlf: crlf, earlierBlank: earlierBlank)
                    let name = gzip ? "leads.csv.gz" : "leads.csv"
                    if gzip {
                        let w = try GzipWriter(path: d + "/" + name)
                        try w.write(Array(text.utf8))
                        try w.finish()
                    } else {
                        Support.write(d + "/" + name, text)
                    }
                    let blanks = earlierBlank ? 1 : 0
                    for threads in ["1", "2"] {
                        let what = "crlf \(crlf), earlier blank \(earlierBlank), gzip \(gzip), threads \(threads)"
                        let scan = try Support.run(["scan", "--preset", "salesforce", "--kind", "crm", "--threads", threads, d + "/" + name])
                        XCTAssertEqual(scan.code, 0, scan.err)
                        XCTAssertTrue(
                            scan.out.contains("rows_read 2, rows_kept 2, rows_rejected 0, blank_lines \(blanks), footer_lines 4"), "\(what):\n\(scan.out)")
                    }
                    Support.write(
                        d + "/pilotscope.yaml",
                        """
                        as_of: 2026-05-01T00:00:00Z
                        inputs:
                          crm: { files: [\(name)], preset: salesforce }
                        pilots:
                          - id: acme
                            motion: referral
                            start: 2026-03-02
                            end: 2026-03-31
                            match: { source_tags: ["Partner Pilot: Acme"] }
                            primary_metric: leads
                            thresholds: { stop: ["leads < 1"] }
                        """)
                    let r = try Support.run(["report", "-c", d + "/pilotscope.yaml", "--table", "quality", "--quiet"])
                    XCTAssertEqual(r.code, 0, r.err)
                    XCTAssertTrue(r.out.contains("\(name),,footer_lines,4\n") && !r.out.contains("rejected:column_count"), r.out)
                }
            }
        }
    }

    /// The same exports in process at every chunk size from 1 byte up.
    func testSalesforceFooterAtEveryChunkSize() throws {
        let preset = Presets.find("salesforce", kind: .crm)!
        for crlf in [false, true] {
            for earlierBlank in [false, true] {
                let d = Support.tempDir()
                let text = Self.leadExport(crlf: crlf, earlierBlank: earlierBlank)
                Support.write(d + "/leads.csv", text)
                let header = try InputPlan.readHeader(d + "/leads.csv", delimiter: 0x2C, backend: .isal)
                let mapping = try ColumnMapping(kind: .crm, header: header, preset: preset, overrides: [:], file: "leads.csv")
                let f = FileContext(
                    index: 0, path: "leads.csv", location: d + "/leads.csv", kind: .crm, mapping: mapping, delimiter: 0x2C, timestamps: TimestampParser())
                for size in 1...(text.utf8.count + 1) {
                    for engine in CSVEngine.allCases {
                        let (_, accounts) = try Pipeline<ScanProcessor>(threads: 1 + size % 2, engine: engine).run(files: [f], chunkSize: size) {
                            ScanProcessor()
                        }
                        let a = accounts[0]
                        XCTAssertEqual(
                            [a.rowsRead, a.rowsKept, a.rowsRejected, a.blankLines, a.footerLines], [2, 2, 0, earlierBlank ? 1 : 0, 4],
                            "crlf \(crlf), earlier blank \(earlierBlank), chunk \(size), \(engine)")
                    }
                }
            }
        }
    }

    /// With two bad spots, the one reported is always the first, whatever the threads do.
    func testFirstErrorWinsWhateverTheThreads() throws {
        let d = Support.tempDir()
        var text = "ts,visitor_id,email,event,url\n"
        for i in 0..<400 { text += i == 37 || i == 300 ? "2026-03-04T10:00:00Z,v\(i),,cl\"ick,u\n" : "2026-03-04T10:00:00Z,v\(i),,click,u\n" }
        Support.write(d + "/t.csv", text)
        Support.write(d + "/u.csv", "ts,visitor_id,email,event,url\n2026-03-04T10:00:00Z,v,,cl\"ick,u\n")
        let preset = Presets.find("canonical", kind: .touches)!
        func context(_ name: String, _ i: Int) throws -> FileContext {
            let mapping = try ColumnMapping(kind: .touches, header: ["ts", "visitor_id", "email", "event", "url"], preset: preset, overrides: [:], file: name)
            return FileContext(index: i, path: name, location: d + "/" + name, kind: .touches, mapping: mapping, delimiter: 0x2C, timestamps: TimestampParser())
        }
        let files = [try context("t.csv", 0), try context("u.csv", 1)]
        for round in 0..<20 {
            XCTAssertThrowsError(try Pipeline<ScanProcessor>(threads: 1 + round % 4).run(files: files, chunkSize: 97) { ScanProcessor() }) { e in
                XCTAssertEqual((e as? InputError)?.line, 39, "round \(round): \(e)")
                XCTAssertEqual((e as? InputError)?.file, "t.csv")
            }
        }
    }

    func testMissingColumnNamesClosestHeaders() throws {
        let preset = Presets.find("hubspot", kind: .crm)!
        XCTAssertThrowsError(try ColumnMapping(kind: .crm, header: ["Record Id", "Email", "Created Date"], preset: preset, overrides: [:], file: "x.csv")) {
            e in
            let m = (e as! ColumnError).description
            XCTAssertTrue(m.contains("'Record ID' or 'Contact ID'") && m.contains("'Record Id'"), m)
            XCTAssertTrue(m.contains("'Create Date'") && m.contains("'Created Date'"), m)
        }
        XCTAssertThrowsError(
            try ColumnMapping(kind: .touches, header: ["ts", "event", "ts"], preset: Presets.find("canonical", kind: .touches)!, overrides: [:], file: "t.csv")
        ) { e in
            XCTAssertTrue((e as! ColumnError).description.contains("duplicate header 'ts'"))
        }
        // `columns:` overrides map a field to another header; unknown fields are refused.
        let m = try ColumnMapping(
            kind: .crm, header: ["Record ID", "Create Date", "Headcount"], preset: preset, overrides: ["employees": "Headcount"], file: "x.csv")
        XCTAssertEqual(m.index[CRMField.employees.rawValue], 2)
        XCTAssertThrowsError(
            try ColumnMapping(kind: .crm, header: ["Record ID", "Create Date"], preset: preset, overrides: ["headcount": "Headcount"], file: "x.csv"))
    }
}
