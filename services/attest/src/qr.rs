//! QR codes for seals: SVG and PNG, error-correction level M, version 13 at most, so that a
//! cheap phone in a dim hallway still reads it (EU COVID certificates, typically version
//! 18, drew many "won't scan" complaints).

use qrcode::{EcLevel, QrCode, Version};

/// Highest QR version a seal may need.
pub const MAX_VERSION: i16 = 13;

#[derive(Debug, Clone)]
pub struct Qr {
    pub svg: String,
    pub png: Vec<u8>,
    pub version: i16,
    pub bytes: usize,
}

/// Which image of a QR code: the path segment `qr.svg` or `qr.png`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    Svg,
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
    TooDense { bytes: usize, version: i16 },
    #[error("qr: {0}")]
    Encode(String),
}

/// The version `data` needs at level M.
pub fn version_for(data: &str) -> Result<i16, QrError> {
    encode(data).map(|code| version_of(&code))
}

fn version_of(code: &QrCode) -> i16 {
    match code.version() {
        Version::Normal(v) | Version::Micro(v) => v,
    }
}

/// The code for `data` at level M: the encoder's own where it fits [`MAX_VERSION`], else
/// every character written as a byte where that fits, else the encoder's own (too large).
/// The encoder splits data into numeric, alphanumeric and byte runs, greedily: for some
/// seals its mix came out longer than all bytes, and a 326-byte housing seal then needed
/// version 14 (3 of the 400 seal-sized URLs in the test below, depending on the random
/// letters of a signature).
fn encode(data: &str) -> Result<QrCode, QrError> {
    let error = |e: qrcode::types::QrError| QrError::Encode(e.to_string());
    let mixed = QrCode::with_error_correction_level(data, EcLevel::M).map_err(error)?;
    if version_of(&mixed) <= MAX_VERSION {
        return Ok(mixed);
    }
    for version in 1..=MAX_VERSION {
        let mut bits = qrcode::bits::Bits::new(Version::Normal(version));
        if bits.push_byte_data(data.as_bytes()).is_ok() && bits.push_terminator(EcLevel::M).is_ok() {
            return QrCode::with_bits(bits, EcLevel::M).map_err(error);
        }
    }
    Ok(mixed)
}

/// The code for `url` and its version, or why it does not fit [`MAX_VERSION`].
fn fitting(url: &str) -> Result<(QrCode, i16), QrError> {
    let code = encode(url)?;
    let version = version_of(&code);
    if version > MAX_VERSION {
        return Err(QrError::TooDense { bytes: url.len(), version });
    }
    Ok((code, version))
}

/// Renders `url` as SVG and PNG.
pub fn render(url: &str) -> Result<Qr, QrError> {
    let (code, version) = fitting(url)?;
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(320, 320).quiet_zone(true).build();
    let gray = code.render::<Gray>().min_dimensions(320, 320).quiet_zone(true).build();
    let png = gray.png().map_err(|e| QrError::Encode(e.to_string()))?;
    Ok(Qr { svg, png, version, bytes: url.len() })
}

/// One 8-bit grey pixel of a rendered QR code. The encoder's own raster type would bring
/// the `image` crate with its colour management and decoders (a minute of every first
/// build) for what is a grid of black and white squares written as one PNG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Gray(u8);

/// A QR code drawn in grey pixels, row by row.
#[derive(Debug)]
struct GrayImage {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

/// The canvas the encoder draws a [`GrayImage`] on.
struct GrayCanvas {
    image: GrayImage,
    dark: u8,
}

impl qrcode::render::Pixel for Gray {
    type Image = GrayImage;
    type Canvas = GrayCanvas;

    fn default_color(color: qrcode::Color) -> Self {
        Gray(color.select(0, 255))
    }
}

impl qrcode::render::Canvas for GrayCanvas {
    type Pixel = Gray;
    type Image = GrayImage;

    fn new(width: u32, height: u32, dark: Gray, light: Gray) -> Self {
        let len = usize::try_from(u64::from(width) * u64::from(height)).unwrap_or(0);
        GrayCanvas { image: GrayImage { width, height, pixels: vec![light.0; len] }, dark: dark.0 }
    }

    fn draw_dark_pixel(&mut self, x: u32, y: u32) {
        let at = u64::from(y) * u64::from(self.image.width) + u64::from(x);
        if let Some(pixel) = usize::try_from(at).ok().and_then(|at| self.image.pixels.get_mut(at)) {
            *pixel = self.dark;
        }
    }

    fn into_image(self) -> GrayImage {
        self.image
    }
}

impl GrayImage {
    fn png(&self) -> Result<Vec<u8>, png::EncodingError> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&self.pixels)?;
        writer.finish()?;
        Ok(out)
    }
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
    let (code, _) = fitting(url)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The PNG reads back as the same code: 8-bit grey, at least 320 pixels a side, light
    /// all around (the quiet zone) and dark in the top-left finder pattern's corner.
    #[test]
    fn the_png_is_the_code_in_grey() {
        let url = "https://check.zegel.example.nl/v/example";
        let code = encode(url).expect("encodes");
        let qr = render(url).expect("renders");
        let mut reader = png::Decoder::new(std::io::Cursor::new(&qr.png)).read_info().expect("a PNG");
        let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
        let info = reader.next_frame(&mut pixels).expect("one frame");
        assert_eq!((info.color_type, info.bit_depth), (png::ColorType::Grayscale, png::BitDepth::Eight));
        assert_eq!(info.width, info.height);
        assert!(info.width >= 320, "{}", info.width);
        let modules = u32::try_from(code.width()).expect("small") + 8;
        assert_eq!(info.width % modules, 0, "whole pixels per module");
        let unit = info.width / modules;
        let at = |x: u32, y: u32| pixels[usize::try_from(y * info.width + x).expect("small")];
        assert_eq!(at(0, 0), 255, "the quiet zone is light");
        assert_eq!(at(info.width - 1, info.height - 1), 255, "the quiet zone is light");
        // The finder pattern's outer ring starts right after four modules of quiet zone.
        assert_eq!(at(4 * unit, 4 * unit), 0, "the finder pattern is dark");
        assert_eq!(at(5 * unit + unit / 2, 5 * unit + unit / 2), 255, "inside the ring is light");
        let dark = pixels.iter().filter(|&&p| p == 0).count();
        let light = pixels.iter().filter(|&&p| p == 255).count();
        assert_eq!(dark + light, pixels.len(), "only black and white");
        let colors = code.to_colors();
        let expected_dark = colors.iter().filter(|c| **c == qrcode::Color::Dark).count();
        assert_eq!(dark, expected_dark * usize::try_from(unit * unit).expect("small"), "one square per dark module");
    }

    /// Seal-sized URLs whose letters vary as signatures do: every one fits version 13,
    /// including those for which the encoder's own mix of runs needs 14 (there must be
    /// some among them, or this test would not test the fallback).
    #[test]
    fn every_seal_sized_url_fits_version_13() {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let base = "https://check.zegel.example.nl/v/";
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut mixed_too_large = 0;
        for _ in 0..400 {
            let mut url = String::from(base);
            while url.len() < 326 {
                // xorshift64: the same letters on every run.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                url.push(char::from(ALPHABET[usize::try_from(state % 64).expect("small")]));
            }
            let mixed = QrCode::with_error_correction_level(&url, EcLevel::M).expect("encodes");
            if version_of(&mixed) > MAX_VERSION {
                mixed_too_large += 1;
            }
            let version = version_for(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(version <= MAX_VERSION, "{url} needs version {version}");
        }
        println!("{mixed_too_large} of 400 needed the all-bytes encoding");
        assert!(mixed_too_large > 0, "no URL here needed the all-bytes encoding");
    }
}
