package dev.switchboard.swarm.tools;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a method of a {@link ToolSet} a tool: {@code String method(ToolContext context, Args args)},
 * where {@code Args} is a record whose components, annotated with {@link Arg}, are the arguments.
 * The JSON Schema the model sees, with its bounds, is made from the record; arguments are checked
 * against it before the method runs and bound into the record. Adding a tool is one such method.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ToolFunction {
    /** What the model calls: {@code [a-z0-9_]+}. */
    String name();

    /** Tells the model when to use the tool. */
    String description();

    /** True when the method blocks (network, disk): it then runs on a virtual thread (see {@link Tool#blocking()}). */
    boolean blocking() default false;
}
