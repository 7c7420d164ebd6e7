package dev.switchboard.swarm.tools;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** One argument of a {@link ToolFunction}: a component of its arguments record. */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER})
public @interface Arg {
    /** The name the model uses; the component's own name when empty. */
    String name() default "";

    /** Tells the model what to put there. */
    String description() default "";

    /** A missing required argument is refused before the tool runs. */
    boolean required() default true;

    /** Bounds of a string's length; -1 for none. */
    int minLength() default -1;

    int maxLength() default -1;
}
