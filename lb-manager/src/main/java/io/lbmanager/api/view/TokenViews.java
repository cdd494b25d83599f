package io.lbmanager.api.view;

import io.lbmanager.auth.TokenAdmin;
import io.lbmanager.auth.TokenRecord;

import java.util.List;

/** API tokens as the API shows them: never their hash; a secret only in the answer that issues it. */
public final class TokenViews {

    private TokenViews() {
    }

    /** A token's identity, scopes and life times; {@code state} is active, expired or revoked. */
    public record Token(String id, String team, List<String> scopes, String createdBy, long createdAtMillis, long expiresAtMillis,
                        long lastUsedAtMillis, long revokedAtMillis, String revokedBy, String state) {
        public static Token of(TokenRecord.TokenView token) {
            return new Token(token.id(), token.team(), token.scopes(), token.createdBy(), token.createdAtMillis(), token.expiresAtMillis(),
                    token.lastUsedAtMillis(), token.revokedAtMillis(), token.revokedBy(), token.state());
        }

        public static List<Token> of(List<TokenRecord.TokenView> tokens) {
            return tokens.stream().map(Token::of).toList();
        }
    }

    /** A token just issued or rotated, with its secret: shown this once. */
    public record Issued(Token token, String secret) {
        public static Issued of(TokenAdmin.Issued issued) {
            return new Issued(Token.of(issued.token()), issued.secret());
        }
    }
}
