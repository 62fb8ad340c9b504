//! The legend strip under an error map: a title, a colour bar from 0 to the map's
//! scale, and the values at its ends and middle. Text is drawn with `ab_glyph`
//! from the Hack font that egui bundles (`epaint_default_fonts`).

use ab_glyph::{Font as _, FontRef, PxScale, ScaleFont as _};

/// Height in pixels of the strip added under the map.
pub const LEGEND_HEIGHT: u32 = 46;

const MARGIN: u32 = 8;
const TEXT_PX: f32 = 13.0;
const BAR_TOP: u32 = 18;
const BAR_HEIGHT: u32 = 10;
const LABEL_BASELINE: f32 = 42.0;
const BACKGROUND: [u8; 3] = [24, 24, 24];
const TEXT: [u8; 3] = [235, 235, 235];

/// `map` with the legend strip appended below it. `colour(t)` gives the colour of
/// `t` in 0..1; the bar's labels run from 0 to `scale`.
pub fn append_colour_bar(
    map: &image::RgbImage,
    title: &str,
    scale: f32,
    colour: impl Fn(f32) -> image::Rgb<u8>,
) -> image::RgbImage {
    let (width, height) = map.dimensions();
    let mut out =
        image::RgbImage::from_pixel(width, height + LEGEND_HEIGHT, image::Rgb(BACKGROUND));
    for (x, y, p) in map.enumerate_pixels() {
        out.put_pixel(x, y, *p);
    }
    let bar_left = MARGIN.min(width / 2);
    let bar_right = width.saturating_sub(MARGIN).max(bar_left + 1);
    for x in bar_left..bar_right.min(width) {
        let t = (x - bar_left) as f32 / (bar_right - bar_left - 1).max(1) as f32;
        for y in 0..BAR_HEIGHT {
            out.put_pixel(x, height + BAR_TOP + y, colour(t));
        }
    }
    // The font is compiled in; should it not parse, the legend keeps its bar only.
    let Ok(font) = FontRef::try_from_slice(epaint_default_fonts::HACK_REGULAR) else {
        return out;
    };
    let top = height as f32;
    draw_text(
        &mut out,
        &font,
        title,
        bar_left as f32,
        top + 14.0,
        Align::Left,
    );
    let labels = [
        (0.0, Align::Left, bar_left as f32),
        (
            0.5 * scale,
            Align::Centre,
            0.5 * (bar_left + bar_right) as f32,
        ),
        (scale, Align::Right, bar_right as f32),
    ];
    for (value, align, x) in labels {
        draw_text(
            &mut out,
            &font,
            &format_value(value),
            x,
            top + LABEL_BASELINE,
            align,
        );
    }
    out
}

/// A short label: "0", "0.05", "0.125", "1".
fn format_value(value: f32) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() {
        "0".into()
    } else {
        text.into()
    }
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Centre,
    Right,
}

/// Draws `text` with its baseline at `baseline`, anchored at `x`; pixels outside
/// the image are dropped.
fn draw_text(
    image: &mut image::RgbImage,
    font: &FontRef<'_>,
    text: &str,
    x: f32,
    baseline: f32,
    align: Align,
) {
    let scaled = font.as_scaled(PxScale::from(TEXT_PX));
    let width: f32 = text
        .chars()
        .map(|c| scaled.h_advance(font.glyph_id(c)))
        .sum();
    let mut pen = match align {
        Align::Left => x,
        Align::Centre => x - 0.5 * width,
        Align::Right => x - width,
    };
    for c in text.chars() {
        let id = font.glyph_id(c);
        let glyph = id.with_scale_and_position(TEXT_PX, ab_glyph::point(pen, baseline));
        pen += scaled.h_advance(id);
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outline.px_bounds();
        outline.draw(|gx, gy, coverage| {
            let px = bounds.min.x as i64 + i64::from(gx);
            let py = bounds.min.y as i64 + i64::from(gy);
            let (Ok(px), Ok(py)) = (u32::try_from(px), u32::try_from(py)) else {
                return;
            };
            if px >= image.width() || py >= image.height() {
                return;
            }
            let pixel = image.get_pixel_mut(px, py);
            let a = coverage.clamp(0.0, 1.0);
            for (dst, src) in pixel.0.iter_mut().zip(TEXT) {
                *dst = (f32::from(*dst) * (1.0 - a) + f32::from(src) * a).round() as u8;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_short() {
        assert_eq!(format_value(0.0), "0");
        assert_eq!(format_value(1.0), "1");
        assert_eq!(format_value(0.05), "0.05");
        assert_eq!(format_value(0.125), "0.125");
    }

    #[test]
    fn text_is_drawn_in_the_strip() {
        let map = image::RgbImage::new(120, 10);
        let out = append_colour_bar(&map, "FLIP", 1.0, |t| image::Rgb([(t * 255.0) as u8, 0, 0]));
        let text_pixels = out
            .pixels()
            .filter(|p| p.0[1] > 128 && p.0[2] > 128)
            .count();
        assert!(text_pixels > 20, "{text_pixels} text pixels");
        // The bar runs from dark to bright red.
        let y = 10 + BAR_TOP + 2;
        assert!(out.get_pixel(MARGIN, y).0[0] < out.get_pixel(120 - MARGIN - 1, y).0[0]);
        // A map narrower than the margins still gets a legend, without panicking.
        let tiny = append_colour_bar(&image::RgbImage::new(3, 2), "|A-B|", 0.2, |_| {
            image::Rgb([1, 2, 3])
        });
        assert_eq!(tiny.dimensions(), (3, 2 + LEGEND_HEIGHT));
    }
}
