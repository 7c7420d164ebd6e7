import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ceiling of bin/bench turns: a trivial WebSocket server on the replicas' ports that answers
 * every message frame at once with a reply frame of the same shape as Switchboard's. The same load
 * generator through the same nginx config to this shows what nginx, loopback and the generator
 * cost by themselves; every figure of the tier is also given as a ratio to it, measured minutes apart.
 *
 *   java -cp target/bench:target/quarkus-app/lib/main/* Echo 28081 28082 28083 28084 28085
 *
 * One event loop for all ports: the echo must not compete for the cores with more threads than
 * a replica has.
 */
public class Echo {
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]*)\"");

    public static void main(String[] args) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        for (String port : args) {
            vertx.createHttpServer()
                    .requestHandler(req -> {
                        if ("/chat".equals(req.path())) {
                            req.toWebSocket().onSuccess(ws -> ws.textMessageHandler(text -> {
                                Matcher m = ID.matcher(text);
                                String id = m.find() ? m.group(1) : "";
                                ws.writeTextMessage("{\"type\":\"reply\",\"id\":\"" + id
                                        + "\",\"data\":\"echo\",\"agentName\":\"echo\",\"replica\":\"" + port + "\"}");
                            }));
                        } else {
                            req.response().end("ok"); // health checks
                        }
                    })
                    .listen(Integer.parseInt(port), "127.0.0.1")
                    .onFailure(e -> {
                        System.err.println("echo cannot listen on " + port + ": " + e.getMessage());
                        System.exit(1);
                    });
        }
        System.out.println("echo listening on " + String.join(", ", args));
    }
}
