//! TLS to the server, as libpq's `sslmode` and `sslrootcert` say.
//!
//! The client crate knows `sslmode=disable|prefer|require` and refuses any
//! other option, so both are read off the address here and the rest is
//! handed on untouched:
//!
//! - `disable`: plain TCP.
//! - `prefer` (the default, as in libpq) and `allow`: TLS when the server
//!   offers it, its certificate not checked; plain TCP otherwise.
//! - `require`: TLS or no connection; the certificate checked against
//!   `sslrootcert` when one is named (libpq's rule), not otherwise.
//! - `verify-ca`: TLS, the certificate must chain to `sslrootcert`.
//! - `verify-full`: as `verify-ca`, and it must name the host connected to.
//!
//! Only a certificate that is checked protects against a machine in the
//! middle: across any network but a trusted one, use `verify-full`.

use std::sync::Arc;

use postgres::config::SslMode;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::Error;

/// What `sslmode` asks of the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// The address as the client crate takes it, and how to make its TLS.
pub(crate) struct Target {
    pub(crate) url: String,
    pub(crate) mode: Mode,
    root_cert: Option<String>,
}

/// Reads `sslmode` and `sslrootcert` off `url` (keeping every other part
/// as written).
pub(crate) fn target(url: &str) -> Result<Target, Error> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok(Target { url: url.to_string(), mode: Mode::Prefer, root_cert: None });
    };
    let mut mode = Mode::Prefer;
    let mut root_cert = None;
    let mut kept: Vec<&str> = Vec::new();
    for pair in query.split('&') {
        let (key, value) = form_urlencoded::parse(pair.as_bytes()).next().unwrap_or_default();
        match key.as_ref() {
            "sslmode" => {
                mode = match value.as_ref() {
                    "disable" => Mode::Disable,
                    "allow" | "prefer" => Mode::Prefer,
                    "require" => Mode::Require,
                    "verify-ca" => Mode::VerifyCa,
                    "verify-full" => Mode::VerifyFull,
                    other => {
                        return Err(Error::BadUrl(format!(
                            "sslmode={other} 无法识别：可用 disable、prefer、require、verify-ca 或 verify-full"
                        )))
                    }
                }
            }
            "sslrootcert" => root_cert = Some(value.into_owned()),
            "sslcert" | "sslkey" | "sslpassword" | "sslcrl" => {
                return Err(Error::BadUrl(format!(
                    "暂不支持客户端证书（{key}）：请让服务器以口令认证本程序的数据库用户"
                )))
            }
            _ => kept.push(pair),
        }
    }
    if matches!(mode, Mode::VerifyCa | Mode::VerifyFull) && root_cert.is_none() {
        return Err(Error::BadUrl(
            "sslmode=verify-ca 或 verify-full 需要用 sslrootcert=文件 指明签发服务器证书的根证书（PEM 格式）".into(),
        ));
    }
    if root_cert.as_deref() == Some("system") {
        return Err(Error::BadUrl("sslrootcert=system 暂不支持：请指明根证书文件（PEM 格式）的路径".into()));
    }
    let url = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
    Ok(Target { url, mode, root_cert })
}

impl Target {
    /// The client crate's own mode: it knows whether to ask for TLS, the
    /// connector made here decides what to trust.
    pub(crate) fn ssl_mode(&self) -> SslMode {
        match self.mode {
            Mode::Disable => SslMode::Disable,
            Mode::Prefer => SslMode::Prefer,
            Mode::Require | Mode::VerifyCa | Mode::VerifyFull => SslMode::Require,
        }
    }

    /// The TLS connector for this address: the root certificate is read
    /// now, so a connection made later trusts what this one did.
    pub(crate) fn connector(&self) -> Result<MakeRustlsConnect, Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = match (&self.root_cert, self.mode) {
            (None, _) => Arc::new(Unchecked(provider.clone())),
            (Some(file), mode) => {
                let roots = read_roots(file)?;
                let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| Error::BadUrl(format!("根证书 {file} 无法使用：{e}")))?;
                if mode == Mode::VerifyFull {
                    webpki
                } else {
                    Arc::new(ChainOnly(webpki))
                }
            }
        };
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Connect(format!("TLS 无法初始化：{e}")))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(MakeRustlsConnect::new(config))
    }
}

fn read_roots(file: &str) -> Result<RootCertStore, Error> {
    let unreadable = |e: &dyn std::fmt::Display| Error::BadUrl(format!("根证书文件 {file} 无法读取：{e}"));
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(file).map_err(|e| unreadable(&e))? {
        let cert = cert.map_err(|e| unreadable(&e))?;
        roots.add(cert).map_err(|e| unreadable(&e))?;
    }
    if roots.is_empty() {
        return Err(Error::BadUrl(format!("根证书文件 {file} 中没有 PEM 格式的证书")));
    }
    Ok(roots)
}

/// `prefer` and `require` without a root certificate: the channel is
/// encrypted, the certificate taken as it comes (libpq's behaviour); the
/// handshake's signatures are still checked.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca` (and `require` with a root certificate): the certificate
/// must chain to the root; the name it carries is not compared with the host.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssl_options_are_read_off_and_the_rest_kept_as_written() {
        let t = target("postgres://u:p@h/db?sslmode=verify-full&application_name=a%20b&sslrootcert=%2Ftmp%2Fca.pem")
            .unwrap();
        assert_eq!(t.url, "postgres://u:p@h/db?application_name=a%20b");
        assert_eq!(t.mode, Mode::VerifyFull);
        assert_eq!(t.root_cert.as_deref(), Some("/tmp/ca.pem"));
        assert_eq!(t.ssl_mode(), SslMode::Require);
        let t = target("postgres://u:p@h/db").unwrap();
        assert_eq!((t.url.as_str(), t.mode), ("postgres://u:p@h/db", Mode::Prefer));
        let t = target("postgres://u:p@h/db?sslmode=disable").unwrap();
        assert_eq!((t.url.as_str(), t.ssl_mode()), ("postgres://u:p@h/db", SslMode::Disable));
    }

    #[test]
    fn what_cannot_be_honoured_is_refused_in_words() {
        for (url, says) in [
            ("postgres://h/db?sslmode=verify-full", "sslrootcert"),
            ("postgres://h/db?sslmode=verify-ca", "sslrootcert"),
            ("postgres://h/db?sslmode=strict", "sslmode=strict"),
            ("postgres://h/db?sslmode=require&sslcert=c.pem", "客户端证书"),
            ("postgres://h/db?sslmode=verify-full&sslrootcert=system", "system"),
        ] {
            match target(url) {
                Err(Error::BadUrl(text)) => assert!(text.contains(says), "{url}: {text}"),
                Err(e) => panic!("{url}: {e}"),
                Ok(_) => panic!("{url} accepted"),
            }
        }
        let t = target("postgres://h/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem").unwrap();
        match t.connector() {
            Err(Error::BadUrl(text)) => assert!(text.contains("/nonexistent/ca.pem"), "{text}"),
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("a missing root certificate accepted"),
        }
    }
}
