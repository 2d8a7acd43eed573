//! TLS to the server: `sslmode` as libpq reads it. The test server must
//! offer TLS (Debian's clusters do, with the machine's self-signed
//! certificate).

mod common;

use common::{TestDb, WAIT};
use qianzhang_pg::{Error, PgStore};

/// Whether any session on `db` other than the admin's runs over TLS.
fn encrypted_sessions(db: &TestDb) -> i64 {
    let mut admin = db.client();
    admin
        .query_one(
            "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
             WHERE a.datname = $1 AND s.ssl AND a.application_name = 'qianzhang'",
            &[&db.name],
        )
        .unwrap()
        .get(0)
}

fn with_query(url: &str, query: &str) -> String {
    format!("{url}{}{query}", if url.contains('?') { '&' } else { '?' })
}

/// The server's own certificate file (self-signed on Debian), as the root
/// a client is told to trust.
fn server_certificate(db: &TestDb) -> String {
    let mut admin = db.client();
    let ssl: String = admin.query_one("SHOW ssl", &[]).unwrap().get(0);
    assert_eq!(ssl, "on", "the test server must offer TLS (ssl = on in postgresql.conf)");
    admin.query_one("SHOW ssl_cert_file", &[]).unwrap().get(0)
}

#[test]
fn sslmode_require_encrypts_and_disable_does_not() {
    let Some(db) = TestDb::new() else { return };
    server_certificate(&db);
    let plain = PgStore::connect(&with_query(&db.url, "sslmode=disable"), WAIT).unwrap();
    assert_eq!(encrypted_sessions(&db), 0);
    drop(plain);
    let _tls = PgStore::connect(&with_query(&db.url, "sslmode=require"), WAIT).unwrap();
    assert_eq!(encrypted_sessions(&db), 1);
}

#[test]
fn verify_ca_trusts_the_named_root_and_no_other() {
    let Some(db) = TestDb::new() else { return };
    let cert = server_certificate(&db);
    let ca = with_query(&db.url, &format!("sslmode=verify-ca&sslrootcert={cert}"));
    let _store = PgStore::connect(&ca, WAIT).unwrap();
    assert_eq!(encrypted_sessions(&db), 1);

    // A root that did not sign the server's certificate.
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.pem");
    std::fs::write(&other, OTHER_ROOT).unwrap();
    let wrong = with_query(&db.url, &format!("sslmode=verify-ca&sslrootcert={}", other.display()));
    match PgStore::connect(&wrong, WAIT) {
        Err(Error::Connect(text)) => assert!(text.contains("TLS"), "{text}"),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("a server certificate another root signed was trusted"),
    }
}

#[test]
fn verify_full_wants_the_host_named_in_the_certificate() {
    let Some(db) = TestDb::new() else { return };
    let cert = server_certificate(&db);
    // A self-signed machine certificate names the machine, never an address.
    let by_address = db.url.replacen("@localhost", "@127.0.0.1", 1);
    let full = with_query(&by_address, &format!("sslmode=verify-full&sslrootcert={cert}"));
    match PgStore::connect(&full, WAIT) {
        Err(Error::Connect(text)) => assert!(text.contains("127.0.0.1"), "{text}"),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("a certificate for another name was trusted"),
    }
}

/// A self-signed certificate of no server here (ISRG Root X1).
const OTHER_ROOT: &str = "-----BEGIN CERTIFICATE-----
MIIFazCCA1OgAwIBAgIRAIIQz7DSQONZRGPgu2OCiwAwDQYJKoZIhvcNAQELBQAw
TzELMAkGA1UEBhMCVVMxKTAnBgNVBAoTIEludGVybmV0IFNlY3VyaXR5IFJlc2Vh
cmNoIEdyb3VwMRUwEwYDVQQDEwxJU1JHIFJvb3QgWDEwHhcNMTUwNjA0MTEwNDM4
WhcNMzUwNjA0MTEwNDM4WjBPMQswCQYDVQQGEwJVUzEpMCcGA1UEChMgSW50ZXJu
ZXQgU2VjdXJpdHkgUmVzZWFyY2ggR3JvdXAxFTATBgNVBAMTDElTUkcgUm9vdCBY
MTCCAiIwDQYJKoZIhvcNAQEBBQADggIPADCCAgoCggIBAK3oJHP0FDfzm54rVygc
h77ct984kIxuPOZXoHj3dcKi/vVqbvYATyjb3miGbESTtrFj/RQSa78f0uoxmyF+
0TM8ukj13Xnfs7j/EvEhmkvBioZxaUpmZmyPfjxwv60pIgbz5MDmgK7iS4+3mX6U
A5/TR5d8mUgjU+g4rk8Kb4Mu0UlXjIB0ttov0DiNewNwIRt18jA8+o+u3dpjq+sW
T8KOEUt+zwvo/7V3LvSye0rgTBIlDHCNAymg4VMk7BPZ7hm/ELNKjD+Jo2FR3qyH
B5T0Y3HsLuJvW5iB4YlcNHlsdu87kGJ55tukmi8mxdAQ4Q7e2RCOFvu396j3x+UC
B5iPNgiV5+I3lg02dZ77DnKxHZu8A/lJBdiB3QW0KtZB6awBdpUKD9jf1b0SHzUv
KBds0pjBqAlkd25HN7rOrFleaJ1/ctaJxQZBKT5ZPt0m9STJEadao0xAH0ahmbWn
OlFuhjuefXKnEgV4We0+UXgVCwOPjdAvBbI+e0ocS3MFEvzG6uBQE3xDk3SzynTn
jh8BCNAw1FtxNrQHusEwMFxIt4I7mKZ9YIqioymCzLq9gwQbooMDQaHWBfEbwrbw
qHyGO0aoSCqI3Haadr8faqU9GY/rOPNk3sgrDQoo//fb4hVC1CLQJ13hef4Y53CI
rU7m2Ys6xt0nUW7/vGT1M0NPAgMBAAGjQjBAMA4GA1UdDwEB/wQEAwIBBjAPBgNV
HRMBAf8EBTADAQH/MB0GA1UdDgQWBBR5tFnme7bl5AFzgAiIyBpY9umbbjANBgkq
hkiG9w0BAQsFAAOCAgEAVR9YqbyyqFDQDLHYGmkgJykIrGF1XIpu+ILlaS/V9lZL
ubhzEFnTIZd+50xx+7LSYK05qAvqFyFWhfFQDlnrzuBZ6brJFe+GnY+EgPbk6ZGQ
3BebYhtF8GaV0nxvwuo77x/Py9auJ/GpsMiu/X1+mvoiBOv/2X/qkSsisRcOj/KK
NFtY2PwByVS5uCbMiogziUwthDyC3+6WVwW6LLv3xLfHTjuCvjHIInNzktHCgKQ5
ORAzI4JMPJ+GslWYHb4phowim57iaztXOoJwTdwJx4nLCgdNbOhdjsnvzqvHu7Ur
TkXWStAmzOVyyghqpZXjFaH3pO3JLF+l+/+sKAIuvtd7u+Nxe5AW0wdeRlN8NwdC
jNPElpzVmbUq4JUagEiuTDkHzsxHpFKVK7q4+63SM1N95R1NbdWhscdCb+ZAJzVc
oyi3B43njTOQ5yOf+1CceWxG1bQVs5ZufpsMljq4Ui0/1lvh+wjChP4kqKOJ2qxq
4RgqsahDYVvTH9w7jXbyLeiNdd8XM2w9U/t7y0Ff/9yi0GE44Za4rF2LN9d11TPA
mRGunUHBcnWEvgJBQl9nJEiU0Zsnvgc/ubhPgXRR4Xq37Z0j4r7g1SgEEzwxA57d
emyPxgcYxn/eR44/KJ4EBs+lVDR3veyJm+kXQ99b21/+jh5Xos1AnX5iItreGCc=
-----END CERTIFICATE-----
";
