//! The municipality's two pictures, drawn on the server as plain SVG (no script, nothing
//! fetched): its buildings by the state of their mark, and its beds and people at the end
//! of each of the last twelve months. Only geometry is worked out here; the template
//! writes the elements, and every figure is also in a table under the picture (the
//! picture's text alternative, and what a screen reader reads).

/// The bar the longest bar of a picture is drawn as, in SVG units.
const BAR_LENGTH: u32 = 320;
/// Where bars start, after their labels.
const LABEL_WIDTH: u32 = 230;
const ROW_HEIGHT: u32 = 28;

/// One horizontal bar: its label and value, its row and length.
#[derive(Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub y: u32,
    pub text_y: u32,
    pub length: u32,
    /// Where the value is written: just after the bar.
    pub value_x: u32,
}

#[derive(Debug)]
pub struct Bars {
    pub width: u32,
    pub height: u32,
    pub start: u32,
    pub bars: Vec<Bar>,
}

/// Horizontal bars of `rows` (label, count), scaled to the largest.
pub fn bars(rows: Vec<(String, i64)>) -> Bars {
    let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let bars: Vec<Bar> = rows
        .into_iter()
        .zip(0u32..)
        .map(|((label, value), i)| {
            let length = scaled(value, max, BAR_LENGTH);
            Bar {
                label,
                value,
                y: i * ROW_HEIGHT,
                text_y: i * ROW_HEIGHT + 15,
                length,
                value_x: LABEL_WIDTH + length + 6,
            }
        })
        .collect();
    let rows = u32::try_from(bars.len()).unwrap_or(u32::MAX);
    Bars { width: LABEL_WIDTH + BAR_LENGTH + 60, height: rows.max(1) * ROW_HEIGHT, start: LABEL_WIDTH, bars }
}

/// `value` of `max` as a length of at most `full` (a value above zero is never drawn as
/// nothing).
fn scaled(value: i64, max: i64, full: u32) -> u32 {
    if value <= 0 || max <= 0 {
        return 0;
    }
    let length = (value.min(max) as f64 / max as f64 * f64::from(full)).round() as u32;
    length.max(1)
}

/// One month of beds and people.
pub struct Month {
    /// How the month is labelled under its column (11/26).
    pub label: String,
    /// `None`: before the register counted (drawn as a dash, never as zero).
    pub counted: Option<(i64, i64)>,
}

/// A vertical bar.
#[derive(Debug, PartialEq)]
pub struct Column {
    pub x: u32,
    pub y: u32,
    pub height: u32,
    pub value: i64,
    pub text_x: u32,
    pub text_y: u32,
}

pub struct Slot {
    pub label: String,
    pub label_x: u32,
    pub beds: Option<Column>,
    pub people: Option<Column>,
}

pub struct OverTime {
    pub width: u32,
    pub height: u32,
    /// The baseline and where month labels go.
    pub base: u32,
    pub label_y: u32,
    pub slots: Vec<Slot>,
}

const SLOT: u32 = 56;
const COLUMN: u32 = 20;
const PLOT: u32 = 180;
const TOP: u32 = 18;

/// Two columns per month, beds then people, scaled to the largest figure of the year.
pub fn over_time(months: &[Month]) -> OverTime {
    let max = months.iter().filter_map(|m| m.counted).flat_map(|(b, p)| [b, p]).max().unwrap_or(0).max(1);
    let base = TOP + PLOT;
    let column = |x: u32, value: i64| {
        let height = scaled(value, max, PLOT);
        Column { x, y: base - height, height, value, text_x: x + COLUMN / 2, text_y: base - height - 4 }
    };
    let slots = months
        .iter()
        .zip(0u32..)
        .map(|(m, i)| {
            let x = i * SLOT + 6;
            Slot {
                label: m.label.clone(),
                label_x: x + SLOT / 2 - 3,
                beds: m.counted.map(|(beds, _)| column(x + 3, beds)),
                people: m.counted.map(|(_, people)| column(x + 3 + COLUMN + 2, people)),
            }
        })
        .collect::<Vec<_>>();
    let n = u32::try_from(slots.len()).unwrap_or(u32::MAX);
    OverTime { width: n.max(1) * SLOT + 12, height: base + 28, base, label_y: base + 18, slots }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_scaled_to_the_largest_and_a_count_above_zero_shows() {
        let b = bars(vec![("certified".into(), 40), ("suspended".into(), 1), ("revoked".into(), 0)]);
        let lengths: Vec<u32> = b.bars.iter().map(|b| b.length).collect();
        assert_eq!(lengths, vec![BAR_LENGTH, 8, 0]);
        assert_eq!(b.bars[1].y, ROW_HEIGHT);
        assert_eq!(b.height, 3 * ROW_HEIGHT);
        assert_eq!(bars(vec![("a".into(), 1000), ("b".into(), 1)]).bars[1].length, 1);
        assert!(bars(Vec::new()).bars.is_empty());
    }

    #[test]
    fn a_month_not_counted_has_no_columns_and_the_rest_share_one_scale() {
        let months = [
            Month { label: "10/26".into(), counted: None },
            Month { label: "11/26".into(), counted: Some((10, 5)) },
            Month { label: "12/26".into(), counted: Some((0, 20)) },
        ];
        let t = over_time(&months);
        assert!(t.slots[0].beds.is_none() && t.slots[0].people.is_none());
        let heights = |s: &Slot| (s.beds.as_ref().map(|c| c.height), s.people.as_ref().map(|c| c.height));
        assert_eq!(heights(&t.slots[1]), (Some(PLOT / 2), Some(PLOT / 4)));
        assert_eq!(heights(&t.slots[2]), (Some(0), Some(PLOT)));
        let top = t.slots[2].people.as_ref().map(|c| c.y);
        assert_eq!(top, Some(TOP), "the tallest column reaches the top of the plot");
        assert_eq!(t.width, 3 * SLOT + 12);
    }
}
