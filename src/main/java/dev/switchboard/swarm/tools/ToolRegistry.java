package dev.switchboard.swarm.tools;

import io.quarkus.arc.All;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Every {@link Tool} bean of the application, by name. */
@Singleton
public class ToolRegistry {
    private final Map<String, Tool> byName = new TreeMap<>();

    public ToolRegistry(@All List<Tool> tools) {
        for (Tool t : tools) {
            Tool before = byName.put(t.name(), t);
            if (before != null) {
                throw new IllegalStateException("two tools are named " + t.name() + ": "
                        + before.getClass().getName() + " and " + t.getClass().getName());
            }
        }
    }

    /** For tests and tools built by hand. */
    public static ToolRegistry of(Tool... tools) {
        return new ToolRegistry(List.of(tools));
    }

    public Optional<Tool> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public java.util.Set<String> names() {
        return byName.keySet();
    }
}
