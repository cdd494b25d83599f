package io.lbmanager.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The scopes of which a caller needs one to call a resource method (admin always qualifies).
 * Every resource method carries this or {@link Public}; {@link ScopeFeature} refuses calls to one
 * that carries neither.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Requires {
    Scope[] value();
}
