//! Undo and redo of scenario changes: a bounded past and future around the present, as a pure value. The page
//! records a scenario once it has been still for a moment (a slider drag is one step, not a hundred), and undoing
//! or redoing sets the scenario without recording it again.

/// Steps kept behind the present: enough for a lesson, bounded so a long session does not grow without end.
pub const KEPT: usize = 100;

/// What came before the present and what an undo has set aside.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline<T> {
    past: Vec<T>,
    present: T,
    future: Vec<T>,
}

impl<T: Clone + PartialEq> Timeline<T> {
    /// A timeline whose present is `start`, with nothing to undo or redo.
    pub fn new(start: T) -> Self {
        Timeline { past: Vec::new(), present: start, future: Vec::new() }
    }

    /// The present.
    pub fn present(&self) -> &T {
        &self.present
    }

    /// Makes `next` the present after a change of the user's: the old present can be undone, and what was undone
    /// can no longer be redone. Recording the present again changes nothing (returns false).
    pub fn record(&mut self, next: T) -> bool {
        if next == self.present {
            return false;
        }
        self.past.push(std::mem::replace(&mut self.present, next));
        if self.past.len() > KEPT {
            self.past.remove(0);
        }
        self.future.clear();
        true
    }

    /// Steps back: the new present, or None when there is nothing to undo.
    pub fn undo(&mut self) -> Option<T> {
        let previous = self.past.pop()?;
        self.future.push(std::mem::replace(&mut self.present, previous));
        Some(self.present.clone())
    }

    /// Steps forward again: the new present, or None when nothing was undone.
    pub fn redo(&mut self) -> Option<T> {
        let next = self.future.pop()?;
        self.past.push(std::mem::replace(&mut self.present, next));
        Some(self.present.clone())
    }

    /// Whether there is a step to undo.
    pub fn can_undo(&self) -> bool {
        !self.past.is_empty()
    }

    /// Whether there is a step to redo.
    pub fn can_redo(&self) -> bool {
        !self.future.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_and_redo_walk_back_and_forth_and_a_new_change_drops_the_future() {
        let mut t = Timeline::new(1);
        assert!(!t.can_undo() && !t.can_redo());
        assert!(t.record(2));
        assert!(t.record(3));
        assert!(!t.record(3), "the present again is not a step");
        assert_eq!(t.undo(), Some(2));
        assert_eq!(t.undo(), Some(1));
        assert_eq!(t.undo(), None);
        assert_eq!(t.redo(), Some(2));
        assert!(t.can_redo());
        assert!(t.record(7));
        assert!(!t.can_redo(), "a new change after an undo drops what was undone");
        assert_eq!(t.undo(), Some(2));
        assert_eq!(*t.present(), 2);
    }

    #[test]
    fn the_past_is_bounded() {
        let mut t = Timeline::new(0);
        for i in 1..=(KEPT as i32 + 50) {
            t.record(i);
        }
        let mut steps = 0;
        while t.undo().is_some() {
            steps += 1;
        }
        assert_eq!(steps, KEPT);
        assert_eq!(*t.present(), 50, "the oldest steps were dropped");
    }
}
