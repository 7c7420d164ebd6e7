package dev.switchboard.session;

import java.util.List;

/**
 * The arguments of {@code lua/commit_turn.lua}, by name; {@link #argv()} is the one place that knows
 * their order (the script's header comment lists the same). Messages go last, one JSON each.
 *
 * @param fence            the turn's fencing token: the commit is refused when a newer turn began
 * @param leaseValue       the lease this turn holds, released on success
 * @param historyTtlMillis the session keys' time to live
 * @param maxHistory       stored messages kept
 * @param messageId        the client's message id (its reply is stored for resends), or null
 * @param replyJson        the reply as a resend gets it
 * @param agent            the active agent after the turn
 * @param stackJson        the navigation stack, JSON
 * @param memoryJson       the session memory, JSON
 * @param answeredIds      how many answered message ids are remembered
 * @param maxHistoryBytes  stored bytes of history kept
 * @param inputTokens      what the turn's completions read, summed
 * @param outputTokens     what they wrote
 * @param budgets          the budgets the turn was admitted by (from its lease)
 * @param messages         the turn's messages, one JSON each, oldest first
 */
record CommitArgs(long fence, String leaseValue, long historyTtlMillis, int maxHistory, String messageId, String replyJson,
                  String agent, String stackJson, String memoryJson, int answeredIds, int maxHistoryBytes,
                  long inputTokens, long outputTokens, BudgetArgs budgets, List<String> messages) {

    String[] argv() {
        int first = 13 + budgets.argv().size();
        String[] argv = new String[first + messages.size()];
        argv[0] = String.valueOf(fence);
        argv[1] = leaseValue;
        argv[2] = String.valueOf(historyTtlMillis);
        argv[3] = String.valueOf(maxHistory);
        argv[4] = messageId == null ? "" : messageId;
        argv[5] = replyJson;
        argv[6] = agent;
        argv[7] = stackJson;
        argv[8] = memoryJson;
        argv[9] = String.valueOf(answeredIds);
        argv[10] = String.valueOf(maxHistoryBytes);
        argv[11] = String.valueOf(inputTokens);
        argv[12] = String.valueOf(outputTokens);
        for (int i = 0; i < budgets.argv().size(); i++) {
            argv[13 + i] = budgets.argv().get(i);
        }
        for (int i = 0; i < messages.size(); i++) {
            argv[first + i] = messages.get(i);
        }
        return argv;
    }
}
