package dev.switchboard.swarm.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.arc.All;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Every tool of the application, by name: {@link Tool} beans and the {@link ToolFunction} methods of {@link ToolSet} beans. */
@Singleton
public class ToolRegistry {
    private final Map<String, Tool> byName = new TreeMap<>();
    private final ObjectMapper json;

    /** @param json the application's one mapper: it reads tool arguments and binds them into records */
    public ToolRegistry(@All List<Tool> tools, @All List<ToolSet> sets, ObjectMapper json) {
        this.json = json;
        tools.forEach(this::add);
        for (ToolSet set : sets) {
            // a CDI bean may be a subclass proxy: the annotated methods are on the class the developer wrote
            Class<?> type = set.getClass();
            while (type.getName().contains("_Subclass") || type.getName().contains("_ClientProxy")) {
                type = type.getSuperclass();
            }
            for (java.lang.reflect.Method m : type.getDeclaredMethods()) {
                if (m.isAnnotationPresent(ToolFunction.class)) {
                    add(new MethodTool(set, m, json));
                }
            }
        }
    }

    private void add(Tool t) {
        Tool before = byName.put(t.name(), t);
        if (before != null) {
            throw new IllegalStateException("two tools are named " + t.name());
        }
    }

    /** For tests and tools built by hand: {@link Tool}s and {@link ToolSet}s. */
    public static ToolRegistry of(Object... tools) {
        List<Tool> single = new java.util.ArrayList<>();
        List<ToolSet> sets = new java.util.ArrayList<>();
        for (Object o : tools) {
            if (o instanceof Tool t) {
                single.add(t);
            } else {
                sets.add((ToolSet) o);
            }
        }
        return new ToolRegistry(single, sets, new ObjectMapper());
    }

    /** The mapper tool arguments are read with. */
    public ObjectMapper json() {
        return json;
    }

    public Optional<Tool> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public java.util.Set<String> names() {
        return byName.keySet();
    }
}
