package dev.switchboard.telegram;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Locale;

/**
 * Answers one Telegram update: a command, a text message (a turn of the chat's session) or
 * anything else (a polite "text only"). Shared by the long-polling bridge and the webhook.
 * <p>
 * Delivery is idempotent: the answer is recomputed on a retry (the tier replays a stored answer
 * for the same message id) and the pieces already sent, counted in {@link DeliveryLog}, are
 * skipped. The returned future fails only when the update should be tried again later.
 */
public final class UpdateHandler {
    private static final Logger LOG = Logger.getLogger(UpdateHandler.class);
    static final String TEXT_ONLY = "Sorry, I can only read text messages. Please type your question.";
    static final String HELP = "/reset starts a new conversation, /agent says who is answering, /history shows our conversation.";
    private static final long TYPING_EVERY_MS = 4000; // Telegram shows "typing…" for 5 s

    public enum ParseMode { PLAIN, MARKDOWNV2 }

    private final Vertx vertx;
    private final BotApi api;
    private final Tier tier;
    private final DeliveryLog log;
    private final ParseMode parseMode;
    private final String greeting;

    public UpdateHandler(Vertx vertx, BotApi api, Tier tier, DeliveryLog log, ParseMode parseMode, String greeting) {
        this.vertx = vertx;
        this.api = api;
        this.tier = tier;
        this.log = log;
        this.parseMode = parseMode;
        this.greeting = greeting;
    }

    /** The chat an update belongs to, or null for updates that carry no message (nothing to answer). */
    public static Long chatId(JsonObject update) {
        JsonObject message = update.getJsonObject("message");
        JsonObject chat = message == null ? null : message.getJsonObject("chat");
        return chat == null ? null : chat.getLong("id");
    }

    public Future<Void> handle(JsonObject update) {
        long updateId = update.getLong("update_id");
        Long chatId = chatId(update);
        if (chatId == null) {
            return Future.succeededFuture(); // edited messages, channel posts…: not asked for, nothing to say
        }
        JsonObject message = update.getJsonObject("message");
        String text = message.getString("text");
        return log.sent(updateId).compose(sent -> answer(chatId, updateId, text)
                .compose(reply -> deliver(chatId, message.getLong("message_id"), updateId, reply, sent)));
    }

    private Future<String> answer(long chatId, long updateId, String text) {
        if (text == null || text.isBlank()) {
            return Future.succeededFuture(TEXT_ONLY);
        }
        if (text.startsWith("/")) {
            String command = text.split("\\s+", 2)[0].toLowerCase(Locale.ROOT).replaceFirst("@.*$", "");
            switch (command) {
                case "/start":
                    return Future.succeededFuture(greeting + "\n\n" + HELP);
                case "/reset":
                    return tier.reset(chatId).map(done -> done ? "Started a new conversation."
                            : "An answer is still being written; send /reset again in a moment.");
                case "/agent":
                    return tier.history(chatId, 100).map(UpdateHandler::activeAgent).recover(UpdateHandler::unreadable);
                case "/history":
                    return tier.history(chatId, 20).map(UpdateHandler::transcript).recover(UpdateHandler::unreadable);
                default:
                    break; // other slash-words are ordinary messages
            }
        }
        long typing = vertx.setPeriodic(0, TYPING_EVERY_MS, t -> typing(chatId));
        return tier.ask(chatId, "tg-" + updateId, text)
                .onComplete(ar -> vertx.cancelTimer(typing))
                .map(UpdateHandler::reply);
    }

    /** What the chat reads: the answer, or why there is none in words a Telegram user can act on. */
    static String reply(Tier.Answer a) {
        if (!a.failed()) {
            return a.text();
        }
        if ("budget_exceeded".equals(a.code())) {
            return "This chat has used its token budget for now. It resets " + TelegramText.inWords(a.retryAfter())
                    + "; send your message again then.";
        }
        return "Sorry, I could not answer that: " + a.text();
    }

    private static Future<String> unreadable(Throwable e) {
        return Future.succeededFuture("Sorry, I could not read our conversation (" + e.getMessage() + "). Try again in a moment.");
    }

    private void typing(long chatId) {
        api.call("sendChatAction", new JsonObject().put("chat_id", chatId).put("action", "typing"))
                .onFailure(e -> LOG.debugf("typing action for %d failed: %s", chatId, e.getMessage()));
    }

    static String activeAgent(List<Tier.Line> lines) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            Tier.Line l = lines.get(i);
            if ("assistant".equals(l.role()) && l.agent() != null) {
                return "You are talking to " + l.agent() + ".";
            }
        }
        return "Nobody has answered yet: the first agent of the swarm will.";
    }

    static String transcript(List<Tier.Line> lines) {
        StringBuilder out = new StringBuilder();
        for (Tier.Line l : lines) {
            String content = l.content() == null ? "" : l.content();
            if ("tool".equals(l.role()) || content.startsWith("[calls ")) {
                continue; // tool traffic and handoff calls are not conversation
            }
            out.append("user".equals(l.role()) ? "You" : l.agent()).append(": ").append(content).append("\n\n");
        }
        return out.isEmpty() ? "No conversation yet." : out.toString().strip();
    }

    private Future<Void> deliver(long chatId, Long replyTo, long updateId, String reply, int sent) {
        List<String> plain = TelegramText.split(reply, TelegramText.MAX_MESSAGE);
        List<String> formatted = parseMode == ParseMode.MARKDOWNV2 ? TelegramText.markdownV2(reply) : plain;
        Future<Void> chain = Future.succeededFuture();
        for (int i = sent; i < formatted.size(); i++) {
            int piece = i;
            chain = chain.compose(v -> sendPiece(chatId, piece == 0 ? replyTo : null, formatted.get(piece),
                            piece < plain.size() ? plain.get(piece) : formatted.get(piece)))
                    .compose(v -> log.markSent(updateId, piece + 1));
        }
        return chain.recover(e -> {
            if (e instanceof BotApiException b && !b.transientFailure()) {
                // the bot was blocked, the chat is gone…: no retry can deliver it
                LOG.warnf("answer to update %d not delivered to chat %d: %s", updateId, chatId, b.getMessage());
                return Future.succeededFuture();
            }
            return Future.failedFuture(e);
        });
    }

    private Future<Void> sendPiece(long chatId, Long replyTo, String text, String plainText) {
        JsonObject params = new JsonObject().put("chat_id", chatId).put("text", text);
        if (replyTo != null) {
            params.put("reply_parameters", new JsonObject().put("message_id", replyTo).put("allow_sending_without_reply", true));
        }
        if (parseMode == ParseMode.MARKDOWNV2) {
            params.put("parse_mode", "MarkdownV2");
        }
        return api.callRetrying("sendMessage", params).<Void>mapEmpty().recover(e -> {
            if (parseMode == ParseMode.MARKDOWNV2 && e instanceof BotApiException b && b.status() == 400) {
                // "can't parse entities": the text still goes out, unformatted
                params.remove("parse_mode");
                params.put("text", plainText);
                return api.callRetrying("sendMessage", params).mapEmpty();
            }
            return Future.failedFuture(e);
        });
    }
}
