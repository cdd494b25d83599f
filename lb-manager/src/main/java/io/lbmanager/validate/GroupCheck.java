package io.lbmanager.validate;

import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.render.RenderOutcome;

import java.util.List;
import java.util.function.Function;

/**
 * The one step from a group's render to a verdict, shared by the config pipeline, the validate
 * endpoint and the {@code validate} command: what rendering refused becomes errors named by
 * template, line and service; what rendered goes to {@code nginx -t} in the scope the caller
 * chooses, whose complaints come back the same way.
 */
public final class GroupCheck {

    /** What became of one group's render. */
    public sealed interface Verdict {
        /** Nginx accepted {@code bundle}, checked in {@code scope}. */
        record Accepted(ConfigBundle bundle, ValidationScope scope) implements Verdict {
        }

        /** Rendering or {@code nginx -t} refused; {@code bundle} and {@code scope} are null when nothing rendered. */
        record Refused(List<ConfigError> errors, ConfigBundle bundle, ValidationScope scope) implements Verdict {
        }
    }

    private GroupCheck() {
    }

    /** What rendering refused, as errors; none when it rendered. */
    public static List<ConfigError> renderErrors(RenderOutcome outcome) {
        if (outcome instanceof RenderOutcome.TemplateFailed failed) {
            return List.of(new ConfigError(failed.template(), failed.line(), failed.serviceId(), failed.message()));
        }
        if (outcome instanceof RenderOutcome.InputRejected rejected) {
            return List.of(new ConfigError(null, null, rejected.serviceId(), rejected.field() + ": " + rejected.message()));
        }
        return List.of();
    }

    /**
     * The rendered bundle checked by {@code nginxTest} in the scope {@code scopeOf} chooses for it
     * (every file, or what changed since a version Nginx accepted), or the render's own errors.
     */
    public static Verdict check(RenderOutcome outcome, Function<ConfigBundle, ValidationScope> scopeOf,
                                Function<ValidationScope, ValidationResult> nginxTest) {
        List<ConfigError> renderErrors = renderErrors(outcome);
        if (!renderErrors.isEmpty()) {
            return new Verdict.Refused(renderErrors, null, null);
        }
        ConfigBundle bundle = ((RenderOutcome.Rendered) outcome).bundle();
        ValidationScope scope = scopeOf.apply(bundle);
        return nginxTest.apply(scope) instanceof ValidationResult.Invalid invalid
                ? new Verdict.Refused(invalid.errors(), bundle, scope)
                : new Verdict.Accepted(bundle, scope);
    }
}
