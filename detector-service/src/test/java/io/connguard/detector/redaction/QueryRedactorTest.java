package io.connguard.detector.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QueryRedactorTest {

    private final QueryRedactor redactor = new QueryRedactor(200);

    @Test
    void replacesStringAndNumberLiteralsWithPlaceholders() {
        assertThat(query("SELECT * FROM users WHERE email = 'alice@example.com' AND age > 42 AND score < 1.5e-3"))
                .isEqualTo("SELECT * FROM users WHERE email = $1 AND age > $2 AND score < $3");
    }

    @Test
    void handlesEscapedQuotesAndPrefixedStrings() {
        assertThat(
                        query(
                                "UPDATE t SET note = 'it''s secret', raw = E'a\\'b', bits = B'1010', hex = X'ff', u = U&'d\\0061t'"))
                .isEqualTo("UPDATE t SET note = $1, raw = $2, bits = $3, hex = $4, u = $5");
    }

    @Test
    void replacesDollarQuotedBodies() {
        assertThat(query("SELECT $$password: hunter2$$, $fn$ body 'x' $fn$ FROM t"))
                .isEqualTo("SELECT $1, $2 FROM t");
    }

    @Test
    void numbersPlaceholdersAfterTheStatementsOwnParameters() {
        assertThat(query("UPDATE snapshots SET status = $1 WHERE id = $2 AND retries < 3"))
                .isEqualTo("UPDATE snapshots SET status = $1 WHERE id = $2 AND retries < $3");
    }

    @Test
    void keepsIdentifiersAndQuotedIdentifiers() {
        assertThat(query("SELECT \"Col'1\", t2.c3, pg_sleep(30) FROM t2"))
                .isEqualTo("SELECT \"Col'1\", t2.c3, pg_sleep($1) FROM t2");
    }

    @Test
    void dropsCommentsAndCollapsesWhitespace() {
        assertThat(query("SELECT 1 -- token=abc\n  FROM /* secret */ t\n\tWHERE x = 2"))
                .isEqualTo("SELECT $1 FROM t WHERE x = $2");
    }

    @Test
    void aLiteralCutOffByTheServerIsStillHidden() {
        assertThat(query("INSERT INTO secrets VALUES ('s3cr3t-and-more")).isEqualTo("INSERT INTO secrets VALUES ($1");
    }

    // found by QueryRedactorPropertyTest: standard_conforming_strings = off makes \' part of a plain literal
    @Test
    void aBackslashQuoteHidesTheRestSinceTheSessionsStringSettingIsUnknown() {
        assertThat(query("SELECT 'don\\'t tell: hunter2' FROM t WHERE a = 1")).isEqualTo("SELECT $1");
        assertThat(query("SELECT N'x\\'y hunter2'")).isEqualTo("SELECT $1");
        // without a backslash before a quote both readings agree: the rest is redacted as usual
        assertThat(query("SELECT 'C:\\temp', 'x' FROM t")).isEqualTo("SELECT $1, $2 FROM t");
    }

    // found by QueryRedactorPropertyTest: "€$$" is one identifier for PostgreSQL, not a dollar quote
    @Test
    void nonAsciiCharactersBelongToIdentifiersAsForTheServer() {
        assertThat(query("SELECT €$$ 'a$$ hunter2'")).isEqualTo("SELECT €$$ $1");
    }

    // found by QueryRedactorPropertyTest (a shrunk sample's original): a dollar quote right after a number or parameter
    @Test
    void aDollarQuoteRightAfterANumberOrAParameterIsHidden() {
        assertThat(query("SELECT 1$$hunter2$$, $1$$hunter2$$")).isEqualTo("SELECT $2$3, $1$4");
    }

    @Test
    void capsTheLength() {
        QueryRedactor short10 = new QueryRedactor(10);
        assertThat(short10.redact("SELECT a, b, c FROM t").query()).isEqualTo("SELECT a, …");
    }

    @Test
    void fingerprintIsEqualForTheSameShapeAndDiffersForAnother() {
        String a = redactor.redact("SELECT * FROM t WHERE id = 1").fingerprint();
        String b = redactor.redact("select *  from t where id = 'x'").fingerprint();
        String c = redactor.redact("SELECT * FROM t WHERE name = 1").fingerprint();
        assertThat(a).hasSize(16).isEqualTo(b).isNotEqualTo(c);
        // a prepared statement and its literal twin have one shape
        assertThat(redactor.redact("SELECT * FROM t WHERE id = $1").fingerprint())
                .isEqualTo(a);
    }

    @Test
    void fingerprintCoversTheWholeStatementNotOnlyTheShownPart() {
        QueryRedactor short10 = new QueryRedactor(10);
        assertThat(short10.redact("SELECT a FROM t1").fingerprint())
                .isNotEqualTo(short10.redact("SELECT a FROM t2").fingerprint());
    }

    @Test
    void emptyTextHasNoQueryAndNoFingerprint() {
        assertThat(redactor.redact("  ")).isEqualTo(new QueryRedactor.Redacted(null, null));
    }

    private String query(String sql) {
        return redactor.redact(sql).query();
    }
}
