//! The diagram on a phone: the same boxes, flowing top to bottom. Each column of the wide drawing becomes a band
//! (users, then geo-DNS, the CDN and load balancer, the app servers, the backends, the replicas), its boxes side by
//! side two to a row. Arrows run straight down and across the gaps (down the spine between the two columns to
//! reach or leave a lower row), so none crosses a box; the app tier's bus runs across under the app servers.
//! Pure, so it is tested natively like the wide layout it is made from.
use super::{Edge, Layout, Node, Region};

/// Width of the coordinate space: two boxes and their margins, drawn at about one pixel per unit on a phone.
pub const WIDTH: f64 = 352.0;
const MARGIN: f64 = 10.0;
const BOX_W: f64 = 160.0;
const COL_GAP: f64 = 12.0;
const ROW_GAP: f64 = 12.0;
/// Room between bands for the arrows and their rates.
const BAND_GAP: f64 = 46.0;
/// Boxes whose left edges are this close share a column of the wide drawing (the queue sits 10 units left of the
/// other backends).
const SAME_COLUMN: f64 = 40.0;

/// The phone layout of `wide`. Its region frame is drawn again around the new stack and its cards moved under it,
/// one under another.
pub fn vertical(wide: &Layout) -> Layout {
    // Columns of the wide drawing, left to right, each with its boxes top to bottom.
    let mut order: Vec<usize> = (0..wide.nodes.len()).collect();
    order.sort_by(|&a, &b| wide.nodes[a].x.total_cmp(&wide.nodes[b].x));
    let mut columns: Vec<Vec<usize>> = Vec::new();
    for i in order {
        match columns.last_mut() {
            Some(col) if wide.nodes[i].x - wide.nodes[col[0]].x < SAME_COLUMN => col.push(i),
            _ => columns.push(vec![i]),
        }
    }
    // With geo-DNS in front, the CDN sits beside it, right under the users: its arrow then crosses no box.
    let find = |tier: &str| wide.nodes.iter().position(|n| n.tier == tier);
    if let (Some(dns), Some(cdn)) = (find("dns"), find("cdn")) {
        columns.iter_mut().for_each(|c| c.retain(|&i| i != cdn));
        columns.retain(|c| !c.is_empty());
        if let Some(c) = columns.iter_mut().find(|c| c.contains(&dns)) {
            c.push(cdn);
        }
    }
    for col in &mut columns {
        col.sort_by(|&a, &b| wide.nodes[a].y.total_cmp(&wide.nodes[b].y));
    }
    // Each band: its rows of at most two boxes, a lone box centred.
    let mut nodes = wide.nodes.clone();
    let mut band_of = vec![0usize; nodes.len()];
    // Whether a box is in its band's first row (arrows reach those from above; the others by the spine), and
    // in its last (arrows leave those from their bottom; the others by the spine).
    let mut first_row = vec![true; nodes.len()];
    let mut last_row = vec![true; nodes.len()];
    let mut y = MARGIN;
    let mut bands: Vec<(f64, f64)> = Vec::new();
    for (b, col) in columns.iter().enumerate() {
        let top = y;
        for row in col.chunks(2) {
            let h = row.iter().map(|&i| wide.nodes[i].h).fold(0.0, f64::max);
            // A band's only box is centred; a lone last box of a fuller band stays in the left column, so the gap
            // between the columns (the spine, down which arrows reach lower rows) stays clear.
            let x0 = if col.len() == 1 { (WIDTH - BOX_W) / 2.0 } else { MARGIN };
            for (k, &i) in row.iter().enumerate() {
                let n = &mut nodes[i];
                (n.x, n.y, n.w) = (x0 + k as f64 * (BOX_W + COL_GAP), y + (h - n.h) / 2.0, BOX_W);
                band_of[i] = b;
                first_row[i] = y == top;
            }
            for &i in row {
                last_row[i] = false;
            }
            y += h + ROW_GAP;
        }
        if let Some(last) = col.chunks(2).last() {
            for &i in last {
                last_row[i] = true;
            }
        }
        bands.push((top, y - ROW_GAP));
        y += BAND_GAP - ROW_GAP;
    }
    // The bus: under the app band, when the wide drawing has one (its wires), at the band's foot.
    let app_band = nodes.iter().position(|n| n.tier == "app").map(|i| band_of[i]);
    let bus_y = app_band.map(|b| bands[b].1 + BAND_GAP / 3.0);
    let bus_wide_x = wide.wires.iter().find(|w| w.0 .0 == w.1 .0).map(|w| w.0 .0);
    let bottom = |n: &Node| (n.x + n.w / 2.0, n.y + n.h);
    let top = |n: &Node| (n.x + n.w / 2.0, n.y);
    let on = |p: (f64, f64), n: &Node| p.0 >= n.x - 1.0 && p.0 <= n.x + n.w + 1.0 && p.1 >= n.y - 1.0 && p.1 <= n.y + n.h + 1.0;
    let mut edges = Vec::with_capacity(wide.edges.len());
    let mut bus_xs: Vec<f64> = Vec::new();
    for e in &wide.edges {
        let Some(to) = (0..nodes.len()).find(|&i| on(e.to, &wide.nodes[i])) else { continue };
        let from_bus = bus_wide_x == Some(e.from.0);
        // Leaving: a box in its band's last row from its bottom; one above it from its inner side, along to the
        // spine and down it; the bus where the arrow turns off it.
        let (from, mut via) = if from_bus {
            let Some(y) = bus_y else { continue };
            let x = if first_row[to] { top(&nodes[to]).0 } else { SPINE };
            bus_xs.push(x);
            ((x, y), Vec::new())
        } else {
            let Some(src) = (0..nodes.len()).find(|&i| on(e.from, &wide.nodes[i]) && i != to) else { continue };
            let n = &nodes[src];
            if last_row[src] {
                (bottom(n), Vec::new())
            } else {
                let cy = n.y + n.h / 2.0;
                let side = if n.x + n.w <= SPINE { n.x + n.w } else { n.x };
                ((side, cy), vec![(SPINE, cy)])
            }
        };
        // Arriving: across the gap above the target's band to its top, or down the spine and across into a lower
        // row's inner side.
        let n = &nodes[to];
        let gap_y = bands[band_of[to]].0 - BAND_GAP / 2.0;
        let at = via.last().copied().unwrap_or(from);
        let cy = n.y + n.h / 2.0;
        let end = if first_row[to] || (n.x < SPINE && n.x + n.w > SPINE) {
            let tx = n.x + n.w / 2.0;
            if (at.0 - tx).abs() > 0.5 && at.1 < gap_y {
                via.extend([(at.0, gap_y), (tx, gap_y)]);
            }
            (tx, n.y)
        } else {
            if (at.0 - SPINE).abs() > 0.5 {
                via.extend([(at.0, gap_y), (SPINE, gap_y)]);
            }
            via.push((SPINE, cy));
            (if n.x + n.w <= SPINE { n.x + n.w } else { n.x }, cy)
        };
        // An arrow into a lower row ends in a short leg beside other boxes' text: its rate is left unprinted.
        let labelled = e.labelled && (first_row[to] || (n.x < SPINE && n.x + n.w > SPINE));
        edges.push(Edge { from, to: end, rps: e.rps, labelled, via });
    }
    // Each serving app server joins the bus (the wide drawing's stubs say which serve), and the bus spans them and
    // the backends it calls.
    let mut wires = Vec::new();
    if let Some(bus_y) = bus_y.filter(|_| bus_wide_x.is_some()) {
        for w in wide.wires.iter().filter(|w| w.0 .1 == w.1 .1) {
            let Some(i) = (0..nodes.len()).find(|&i| nodes[i].tier == "app" && on(w.0, &wide.nodes[i])) else { continue };
            let n = &nodes[i];
            let cy = n.y + n.h / 2.0;
            // Down the outer margin beside its column (the rows below are in the way of a drop from its bottom);
            // a lone centred box drops from its bottom.
            let side = if n.x + n.w <= SPINE {
                Some((n.x, n.x - SIDE))
            } else if n.x >= SPINE {
                Some((n.x + n.w, n.x + n.w + SIDE))
            } else {
                None
            };
            match side {
                Some((edge, x)) => {
                    wires.push(((edge, cy), (x, cy)));
                    wires.push(((x, cy), (x, bus_y)));
                    bus_xs.push(x);
                }
                None => {
                    let b = bottom(n);
                    wires.push((b, (b.0, bus_y)));
                    bus_xs.push(b.0);
                }
            }
        }
        let (lo, hi) = bus_xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        if lo.is_finite() {
            wires.push(((lo, bus_y), (hi, bus_y)));
        }
    }
    let regions = frames(&nodes, &wide.regions);
    Layout { nodes, edges, wires, regions }
}

/// How far outside its box an app server's stub to the bus runs down.
const SIDE: f64 = 5.0;

/// The middle of the gap between a band's two columns, down which arrows reach and leave its lower rows.
const SPINE: f64 = MARGIN + BOX_W + COL_GAP / 2.0;

/// The region frame around the stack and the wide drawing's cards under it, one a row (side by side they would
/// not fit).
fn frames(nodes: &[Node], wide: &[Region]) -> Vec<Region> {
    let cards = wide.iter().filter(|r| !r.label.is_empty());
    let Some(frame) = super::frame_around(nodes).filter(|_| wide.len() > 1) else { return Vec::new() };
    let (x, w) = (MARGIN - 6.0, WIDTH - 2.0 * (MARGIN - 6.0));
    let below = frame.y + frame.h + 6.0;
    let placed = cards.enumerate().map(|(i, c)| Region { x, w, y: below + i as f64 * (super::CARD_H + 6.0), ..c.clone() });
    std::iter::once(Region { x, w, ..frame }).chain(placed).collect()
}
