package dev.switchboard.session;

/** The tightest of a session's budgets as a turn's commit left it: tokens left, and until when. */
public record BudgetLeft(long left, long resetMillis) {
}
