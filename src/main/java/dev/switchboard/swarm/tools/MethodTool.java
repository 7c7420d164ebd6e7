package dev.switchboard.swarm.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/** A {@link ToolFunction} method as a {@link Tool}: schema from its arguments record, arguments bound into it. */
final class MethodTool implements Tool {
    private final ObjectMapper json;

    private final Object target;
    private final Method method;
    private final ToolFunction meta;
    private final Class<?> argsType;
    private final RecordComponent[] components;
    private final List<String> argNames = new ArrayList<>();
    private final Constructor<?> constructor;
    private final JsonNode schema;

    MethodTool(Object target, Method method, ObjectMapper json) {
        this.json = json;
        this.target = target;
        this.method = method;
        this.meta = method.getAnnotation(ToolFunction.class);
        Class<?>[] params = method.getParameterTypes();
        if (params.length != 2 || params[0] != ToolContext.class || !params[1].isRecord() || method.getReturnType() != String.class) {
            throw new IllegalStateException(method + ": a @ToolFunction is String name(ToolContext, ArgsRecord)");
        }
        this.argsType = params[1];
        this.components = argsType.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        ObjectNode root = JsonNodeFactory.instance.objectNode().put("type", "object").put("additionalProperties", false);
        ObjectNode properties = root.putObject("properties");
        ArrayNode required = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            Arg arg = c.getAnnotation(Arg.class);
            String name = arg != null && !arg.name().isEmpty() ? arg.name() : c.getName();
            argNames.add(name);
            ObjectNode p = properties.putObject(name).put("type", jsonType(c.getType(), method));
            if (arg != null) {
                // LangChain4j 1.11's string schema has no minLength/maxLength, so what reaches the model
                // of the bounds is this sentence in the description; the schema keeps them for ArgumentCheck
                String bounds = bounds(arg.minLength(), arg.maxLength());
                String description = arg.description().isEmpty() ? bounds : bounds.isEmpty() ? arg.description()
                        : arg.description() + " (" + bounds + ")";
                if (!description.isEmpty()) {
                    p.put("description", description);
                }
                if (arg.minLength() >= 0) {
                    p.put("minLength", arg.minLength());
                }
                if (arg.maxLength() >= 0) {
                    p.put("maxLength", arg.maxLength());
                }
            }
            if (arg == null || arg.required()) {
                required.add(name);
            }
        }
        if (!required.isEmpty()) {
            root.set("required", required);
        }
        this.schema = root;
        try {
            this.constructor = argsType.getDeclaredConstructor(types);
            this.constructor.setAccessible(true);
            this.method.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(argsType + " has no canonical constructor", e);
        }
    }

    private static String jsonType(Class<?> t, Method m) {
        if (t == String.class) {
            return "string";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "boolean";
        }
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "integer";
        }
        if (t == double.class || t == Double.class) {
            return "number";
        }
        throw new IllegalStateException(m + ": argument type " + t.getSimpleName() + " is not string, boolean, integer or number");
    }

    @Override
    public String name() {
        return meta.name();
    }

    @Override
    public String description() {
        return meta.description();
    }

    @Override
    public JsonNode parameters() {
        return schema;
    }

    @Override
    public boolean blocking() {
        return meta.blocking();
    }

    /** {@code args} were checked against {@link #parameters()}: binding cannot meet a wrong type. */
    @Override
    public String execute(ToolContext context, JsonNode args) {
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            JsonNode v = args.get(argNames.get(i));
            Class<?> type = components[i].getType();
            values[i] = v == null || v.isNull() ? (type == boolean.class ? false : type.isPrimitive() ? 0 : null)
                    : json.convertValue(v, type);
        }
        try {
            return (String) method.invoke(target, context, constructor.newInstance(values));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r; // ToolException and friends reach the runner as the tool threw them
            }
            throw new ToolException(e.getCause().getMessage());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot call tool " + name(), e);
        }
    }

    /** "1 to 60 characters", "at most 40 characters", or "" without bounds. */
    static String bounds(int min, int max) {
        if (min > 0 && max >= 0) {
            return min + " to " + max + " characters";
        }
        if (max >= 0) {
            return "at most " + max + " characters";
        }
        return min > 0 ? "at least " + min + " characters" : "";
    }
}
