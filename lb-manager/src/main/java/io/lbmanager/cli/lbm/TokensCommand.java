package io.lbmanager.cli.lbm;

import io.lbmanager.api.TokensResource;
import io.lbmanager.api.view.TokenViews;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** API tokens, with an admin token: {@code /api/v1/tokens}. A secret is printed once, on stdout, alone on its line. */
@Command(name = "tokens", description = "Create, list, rotate and revoke API tokens (needs an admin token).",
        subcommands = {TokensCommand.Create.class, TokensCommand.ListTokens.class, TokensCommand.Revoke.class, TokensCommand.Rotate.class})
final class TokensCommand extends LbmCommand {

    private static final String TABLE = "%-12s  %-8s %-20s %-26s %-16s %-16s %s";
    private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    @Override
    public Integer call() {
        spec.commandLine().usage(console().err());
        return Lbm.USAGE;
    }

    @Command(name = "create", description = "Issue a token and print its secret (shown this once).")
    static final class Create extends LbmCommand {
        @Option(names = "--team", required = true, paramLabel = "TEAM")
        String team;
        @Option(names = "--scope", required = true, paramLabel = "SCOPE", description = "read, service-owner, operator or admin; repeatable")
        List<String> scopes;
        @Option(names = "--ttl", paramLabel = "TTL", defaultValue = "never", description = "90d, 12h, 30m or never (default)")
        String ttl;

        @Override
        public Integer call() {
            return answer(api().call("POST", "/api/v1/tokens", new TokensResource.CreateRequest(team, scopes, ttl)), reply -> {
                TokenViews.Issued issued = reply.as(TokenViews.Issued.class);
                console().println(issued.secret());
                TokenViews.Token token = issued.token();
                console().remark(String.format("token %s  team %s  scopes %s  expires %s  (the secret above is shown only now)", token.id(),
                        token.team(), String.join(",", token.scopes()), token.expiresAtMillis() == 0 ? "never"
                                : FleetText.UTC_SECONDS.format(Instant.ofEpochMilli(token.expiresAtMillis())) + " UTC"));
            });
        }
    }

    @Command(name = "list", description = "Every token (never its secret).")
    static final class ListTokens extends LbmCommand {
        @Override
        public Integer call() {
            return answer(api().get("/api/v1/tokens"), reply -> {
                console().println(String.format(TABLE, "ID", "STATE", "TEAM", "SCOPES", "EXPIRES", "LAST USED", "CREATED BY"));
                for (TokenViews.Token token : reply.as(TokenViews.Token[].class)) {
                    console().println(String.format(TABLE, token.id(), token.state(), token.team(), String.join(",", token.scopes()),
                            token.expiresAtMillis() == 0 ? "never" : when(token.expiresAtMillis()), when(token.lastUsedAtMillis()),
                            token.createdBy()));
                }
            });
        }
    }

    @Command(name = "revoke", description = "Revoke a token: it stops working at once.")
    static final class Revoke extends LbmCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            return answer(api().call("DELETE", "/api/v1/tokens/" + encode(id), null), reply -> console().println("token " + id + " revoked"));
        }
    }

    @Command(name = "rotate", description = "Give a token a new secret (printed once); the old one stops working at once.")
    static final class Rotate extends LbmCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            return answer(api().call("POST", "/api/v1/tokens/" + encode(id) + "/rotate", null), reply -> {
                TokenViews.Issued issued = reply.as(TokenViews.Issued.class);
                console().println(issued.secret());
                console().remark("token " + issued.token().id() + " has a new secret (shown only now); the old one no longer works");
            });
        }
    }

    private static String when(long millis) {
        return millis == 0 ? "-" : MINUTES.format(Instant.ofEpochMilli(millis));
    }
}
