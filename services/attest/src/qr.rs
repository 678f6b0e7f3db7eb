//! QR codes for seals: SVG and PNG, error-correction level M, version 13 at most, so that a
//! cheap phone in a dim hallway still reads it (EU COVID certificates, typically version
//! 18, drew many "won't scan" complaints).

use qrcode::{EcLevel, QrCode, Version};

/// Highest QR version a seal may need.
pub const MAX_VERSION: i16 = 13;

/// A rendered QR code.
#[derive(Debug, Clone)]
pub struct Qr {
    /// SVG document.
    pub svg: String,
    /// PNG image.
    pub png: Vec<u8>,
    /// QR version used.
    pub version: i16,
    /// Bytes encoded.
    pub bytes: usize,
}

/// Which image of a QR code: the path segment `qr.svg` or `qr.png`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    /// SVG.
    Svg,
    /// PNG.
    Png,
}

impl std::str::FromStr for Rendering {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "qr.svg" => Ok(Rendering::Svg),
            "qr.png" => Ok(Rendering::Png),
            _ => Err(()),
        }
    }
}

impl Qr {
    /// The bytes and media type of one rendering.
    pub fn into_image(self, rendering: Rendering) -> (Vec<u8>, &'static str) {
        match rendering {
            Rendering::Svg => (self.svg.into_bytes(), "image/svg+xml"),
            Rendering::Png => (self.png, "image/png"),
        }
    }
}

/// Why a QR code could not be made.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    /// The data does not fit in version 13 at level M.
    #[error("{bytes} bytes need QR version {version}, above {MAX_VERSION}")]
    TooDense {
        /// Bytes encoded.
        bytes: usize,
        /// Version it would need.
        version: i16,
    },
    /// The encoder refused.
    #[error("qr: {0}")]
    Encode(String),
}

/// The version `data` needs at level M.
pub fn version_for(data: &str) -> Result<i16, QrError> {
    let code = QrCode::with_error_correction_level(data, EcLevel::M).map_err(|e| QrError::Encode(e.to_string()))?;
    match code.version() {
        Version::Normal(v) => Ok(v),
        Version::Micro(v) => Ok(v),
    }
}

/// Renders `url` as SVG and PNG.
pub fn render(url: &str) -> Result<Qr, QrError> {
    let code = QrCode::with_error_correction_level(url, EcLevel::M).map_err(|e| QrError::Encode(e.to_string()))?;
    let version = match code.version() {
        Version::Normal(v) | Version::Micro(v) => v,
    };
    if version > MAX_VERSION {
        return Err(QrError::TooDense { bytes: url.len(), version });
    }
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(320, 320).quiet_zone(true).build();
    let image = code.render::<image::Luma<u8>>().min_dimensions(320, 320).quiet_zone(true).build();
    let mut png = Vec::new();
    image::DynamicImage::ImageLuma8(image)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| QrError::Encode(e.to_string()))?;
    Ok(Qr { svg, png, version, bytes: url.len() })
}

/// The answer to a seal request: the seal, the URL its QR code holds, the QR code as SVG
/// and base64 PNG, and its times. Every register answers in this shape.
pub fn issued_json(
    seal_id: uuid::Uuid,
    token: &str,
    url: &str,
    issued_at: impl serde::Serialize,
    expires_at: impl serde::Serialize,
) -> Result<serde_json::Value, QrError> {
    use base64::Engine;
    let code = render(url)?;
    Ok(serde_json::json!({
        "seal_id": seal_id,
        "seal": token,
        "url": url,
        "issued_at": issued_at,
        "expires_at": expires_at,
        "qr_version": code.version,
        "qr_svg": code.svg,
        "qr_png": base64::engine::general_purpose::STANDARD.encode(&code.png),
    }))
}

/// The QR code of `url` as SVG drawing content at one user unit per module (quiet zone
/// included) and its side in modules, to place inside another drawing such as a poster.
pub fn svg_content(url: &str) -> Result<(String, u32), QrError> {
    let code = QrCode::with_error_correction_level(url, EcLevel::M).map_err(|e| QrError::Encode(e.to_string()))?;
    let version = match code.version() {
        Version::Normal(v) | Version::Micro(v) => v,
    };
    if version > MAX_VERSION {
        return Err(QrError::TooDense { bytes: url.len(), version });
    }
    let side = u32::try_from(code.width()).unwrap_or(0) + 8;
    let svg = code.render::<qrcode::render::svg::Color>().module_dimensions(1, 1).quiet_zone(true).build();
    // Keep what is inside the outer <svg> element: the drawing itself.
    let inner = svg
        .find("<svg")
        .and_then(|start| svg[start..].find('>').map(|end| start + end + 1))
        .and_then(|open| svg.rfind("</svg>").map(|close| svg[open..close].to_string()))
        .ok_or_else(|| QrError::Encode("unexpected SVG from the QR renderer".into()))?;
    Ok((inner, side))
}
