package dev.switchboard.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/k8s parsed with the fabric8 Kubernetes model, strictly (a field the model does not know
 * lands in its additionalProperties, which must stay empty), and its cross-references checked the
 * way kustomize and the API server would use them. No cluster is needed.
 */
class K8sManifestsTest {
    private static final Path K8S = Path.of("deploy/k8s");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final KubernetesSerialization KUBE = new KubernetesSerialization();

    /** The objects and generated names of one kustomization, with its bases resolved. */
    private record Build(List<HasMetadata> objects, Set<String> configMaps, Set<String> secrets) {
        <T> List<T> all(Class<T> kind) {
            return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
        }
    }

    private static Build build(Path dir) throws IOException {
        JsonNode k = YAML.readTree(dir.resolve("kustomization.yaml").toFile());
        assertEquals("kustomize.config.k8s.io/v1beta1", k.path("apiVersion").asText(), dir + ": a Kustomization");
        Build b = new Build(new ArrayList<>(), new HashSet<>(), new HashSet<>());
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            assertTrue(Files.exists(p), dir + " lists " + r.asText() + ", which does not exist");
            if (Files.isDirectory(p)) {
                Build base = build(p);
                b.objects().addAll(base.objects());
                b.configMaps().addAll(base.configMaps());
                b.secrets().addAll(base.secrets());
            } else {
                b.objects().addAll(parse(p));
            }
        }
        for (JsonNode g : k.path("configMapGenerator")) {
            b.configMaps().add(g.path("name").asText());
            generatorFilesExist(dir, g);
        }
        for (JsonNode g : k.path("secretGenerator")) {
            b.secrets().add(g.path("name").asText());
            generatorFilesExist(dir, g);
        }
        return b;
    }

    private static void generatorFilesExist(Path dir, JsonNode generator) {
        for (JsonNode f : generator.path("files")) {
            String path = f.asText().contains("=") ? f.asText().substring(f.asText().indexOf('=') + 1) : f.asText();
            assertTrue(Files.exists(dir.resolve(path)), dir + ": generator file " + path + " does not exist");
        }
    }

    private static List<HasMetadata> parse(Path file) throws IOException {
        List<HasMetadata> out = new ArrayList<>();
        for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
            if (doc.replaceAll("(?m)^\\s*#.*$", "").isBlank()) {
                continue;
            }
            Object parsed = KUBE.unmarshal(doc);
            assertTrue(parsed instanceof HasMetadata, file + ": not a Kubernetes object: " + parsed);
            HasMetadata o = (HasMetadata) parsed;
            assertFalse(o.getClass().getSimpleName().equals("GenericKubernetesResource"),
                    file + ": " + o.getKind() + " " + o.getApiVersion() + " is not a kind the model knows");
            List<String> unknown = new ArrayList<>();
            unknownFields(o, o.getKind() + "/" + o.getMetadata().getName(), unknown);
            assertEquals(List.of(), unknown, file + ": fields the Kubernetes API does not have");
            out.add(o);
        }
        return out;
    }

    /** Walks the typed model: any additionalProperties entry is a field the API would reject or ignore. */
    private static void unknownFields(Object o, String path, List<String> unknown) {
        if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Enum<?>) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownFields(e, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((key, value) -> unknownFields(value, path + "." + key, unknown));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method g : o.getClass().getMethods()) {
            if (g.getParameterCount() != 0 || Modifier.isStatic(g.getModifiers()) || !g.getName().startsWith("get")
                    || g.getDeclaringClass() == Object.class) {
                continue;
            }
            try {
                Object v = g.invoke(o);
                if (g.getName().equals("getAdditionalProperties")) {
                    if (v instanceof Map<?, ?> extra && !extra.isEmpty() && !(o instanceof IntOrString)) {
                        unknown.add(path + ": " + extra.keySet());
                    }
                } else {
                    unknownFields(v, path + "." + g.getName().substring(3, 4).toLowerCase() + g.getName().substring(4), unknown);
                }
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && !selector.isEmpty() && labels != null && labels.entrySet().containsAll(selector.entrySet());
    }

    private static List<PodTemplateSpec> podTemplates(Build b) {
        List<PodTemplateSpec> out = new ArrayList<>();
        b.all(Deployment.class).forEach(d -> out.add(d.getSpec().getTemplate()));
        b.all(StatefulSet.class).forEach(s -> out.add(s.getSpec().getTemplate()));
        return out;
    }

    @Test
    void every_manifest_parses_strictly_and_every_reference_resolves() throws IOException {
        for (Path overlay : List.of(K8S.resolve("base"), K8S.resolve("overlays/demo"))) {
            Build b = build(overlay);
            assertFalse(b.objects().isEmpty());

            for (Deployment d : b.all(Deployment.class)) {
                assertTrue(selects(d.getSpec().getSelector().getMatchLabels(), d.getSpec().getTemplate().getMetadata().getLabels()),
                        "Deployment " + d.getMetadata().getName() + ": selector matches its pods");
            }
            for (StatefulSet s : b.all(StatefulSet.class)) {
                assertTrue(selects(s.getSpec().getSelector().getMatchLabels(), s.getSpec().getTemplate().getMetadata().getLabels()));
                assertTrue(b.all(Service.class).stream().anyMatch(svc -> svc.getMetadata().getName().equals(s.getSpec().getServiceName())),
                        "StatefulSet " + s.getMetadata().getName() + ": its serviceName exists");
            }
            for (Service svc : b.all(Service.class)) {
                List<PodTemplateSpec> pods = podTemplates(b).stream()
                        .filter(t -> selects(svc.getSpec().getSelector(), t.getMetadata().getLabels())).toList();
                assertEquals(1, pods.size(), "Service " + svc.getMetadata().getName() + " selects one workload's pods");
                for (ServicePort port : svc.getSpec().getPorts()) {
                    IntOrString target = port.getTargetPort();
                    boolean found = pods.get(0).getSpec().getContainers().stream().flatMap(c -> c.getPorts().stream())
                            .anyMatch(cp -> target.getStrVal() != null ? target.getStrVal().equals(cp.getName())
                                    : target.getIntVal().equals(cp.getContainerPort()));
                    assertTrue(found, "Service " + svc.getMetadata().getName() + ": targetPort " + target + " is a container port");
                }
            }
            for (Ingress ing : b.all(Ingress.class)) {
                List<IngressBackend> backends = ing.getSpec().getRules().stream()
                        .flatMap(r -> r.getHttp().getPaths().stream()).map(p -> p.getBackend()).toList();
                assertFalse(backends.isEmpty());
                for (IngressBackend be : backends) {
                    Service svc = b.all(Service.class).stream().filter(s -> s.getMetadata().getName().equals(be.getService().getName()))
                            .findFirst().orElse(null);
                    assertNotNull(svc, "Ingress backend service " + be.getService().getName() + " exists");
                    String portName = be.getService().getPort().getName();
                    assertTrue(svc.getSpec().getPorts().stream().anyMatch(p -> p.getName().equals(portName)),
                            "Ingress backend port " + portName + " is a port of the Service");
                }
            }
            for (HorizontalPodAutoscaler hpa : b.all(HorizontalPodAutoscaler.class)) {
                var ref = hpa.getSpec().getScaleTargetRef();
                assertTrue(b.all(Deployment.class).stream().anyMatch(d -> d.getMetadata().getName().equals(ref.getName())
                        && "Deployment".equals(ref.getKind())), "HPA scales a Deployment that exists");
            }
            for (PodDisruptionBudget pdb : b.all(PodDisruptionBudget.class)) {
                assertTrue(podTemplates(b).stream().anyMatch(t -> selects(pdb.getSpec().getSelector().getMatchLabels(),
                        t.getMetadata().getLabels())), "the PodDisruptionBudget selects pods");
            }
            for (PodTemplateSpec t : podTemplates(b)) {
                for (Volume v : t.getSpec().getVolumes() == null ? List.<Volume>of() : t.getSpec().getVolumes()) {
                    if (v.getConfigMap() != null) {
                        assertTrue(b.configMaps().contains(v.getConfigMap().getName()), "ConfigMap " + v.getConfigMap().getName() + " exists");
                    }
                }
                for (Container c : t.getSpec().getContainers()) {
                    for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
                        if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null
                                && !Boolean.TRUE.equals(e.getValueFrom().getSecretKeyRef().getOptional())
                                && overlay.endsWith("demo")) {
                            assertTrue(b.secrets().contains(e.getValueFrom().getSecretKeyRef().getName()),
                                    "Secret " + e.getValueFrom().getSecretKeyRef().getName() + " is generated by the demo");
                        }
                    }
                    Set<String> portNames = new HashSet<>();
                    for (ContainerPort p : c.getPorts()) {
                        portNames.add(p.getName());
                    }
                    for (var probe : java.util.Arrays.asList(c.getReadinessProbe(), c.getLivenessProbe(), c.getStartupProbe())) {
                        if (probe != null && probe.getHttpGet() != null && probe.getHttpGet().getPort().getStrVal() != null) {
                            assertTrue(portNames.contains(probe.getHttpGet().getPort().getStrVal()), "probe port is a container port");
                        }
                    }
                }
            }
        }
    }

    @Test
    void the_replicas_drain_probe_and_spread_as_the_stack_does() throws IOException {
        Build b = build(K8S.resolve("base"));
        Deployment d = b.all(Deployment.class).get(0);
        var pod = d.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        assertEquals("/q/health/ready", c.getReadinessProbe().getHttpGet().getPath());
        assertEquals("/q/health/live", c.getLivenessProbe().getHttpGet().getPath());
        assertNotNull(c.getLifecycle().getPreStop(), "a preStop before SIGTERM's drain");
        assertTrue(pod.getTerminationGracePeriodSeconds() > 20 + 5, "longer than the drain (20 s) and the preStop pause");
        assertFalse(pod.getTopologySpreadConstraints().isEmpty());
        assertNotNull(c.getResources().getRequests().get("cpu"));
        assertNotNull(c.getResources().getRequests().get("memory"));
        Ingress ing = b.all(Ingress.class).get(0);
        assertEquals("3600", ing.getMetadata().getAnnotations().get("nginx.ingress.kubernetes.io/proxy-read-timeout"));
        List<String> paths = ing.getSpec().getRules().get(0).getHttp().getPaths().stream().map(p -> p.getPath()).toList();
        assertTrue(paths.contains("/chat"));
        assertTrue(paths.stream().noneMatch(p -> p.startsWith("/q") || p.startsWith("/admin")), "operational endpoints stay inside");
        assertFalse(paths.contains("/") && ing.getSpec().getRules().get(0).getHttp().getPaths().stream()
                .anyMatch(p -> p.getPath().equals("/") && p.getPathType().equals("Prefix")), "/ is exact, not a prefix of /q");
    }

    @Test
    void replicas_run_locked_down_behind_network_policies_with_no_key_in_the_repository() throws Exception {
        Build b = build(K8S.resolve("overlays/demo"));
        Deployment d = b.all(Deployment.class).stream().filter(x -> x.getMetadata().getName().equals("switchboard")).findFirst().orElseThrow();
        var pod = d.getSpec().getTemplate().getSpec();
        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        Container c = pod.getContainers().get(0);
        assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")), "a writable /tmp");
        assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getEmptyDir() != null), "/tmp is an emptyDir");

        var policies = b.all(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);
        for (String app : List.of("switchboard", "redis", "switchboard-sim")) {
            var policy = policies.stream().filter(np -> app.equals(np.getSpec().getPodSelector().getMatchLabels().get("app.kubernetes.io/name")))
                    .findFirst().orElseThrow(() -> new AssertionError("no NetworkPolicy guards " + app));
            assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());
            assertFalse(policy.getSpec().getIngress().isEmpty());
            if (!app.equals("switchboard")) {
                assertTrue(policy.getSpec().getIngress().stream().flatMap(r -> r.getFrom().stream())
                        .allMatch(peer -> peer.getPodSelector() != null
                                && "switchboard".equals(peer.getPodSelector().getMatchLabels().get("app.kubernetes.io/name"))),
                        app + " is reached by the replicas only");
            }
        }
        // the demo's keys are made by make-keys into a git-ignored file, never written in a manifest
        JsonNode k = YAML.readTree(K8S.resolve("overlays/demo/kustomization.yaml").toFile());
        for (JsonNode g : k.path("secretGenerator")) {
            assertTrue(g.path("literals").isMissingNode(), "no literal secrets: " + g);
            assertEquals("keys.env", g.path("envs").get(0).asText());
        }
        assertTrue(Files.readString(Path.of(".gitignore")).contains("deploy/k8s/overlays/demo/keys.env"));
        Path tmp = Files.createTempDirectory("make-keys");
        Files.copy(K8S.resolve("overlays/demo/make-keys"), tmp.resolve("make-keys"));
        Process p = new ProcessBuilder("bash", tmp.resolve("make-keys").toString()).redirectErrorStream(true).start();
        assertEquals(0, p.waitFor());
        Path keys = tmp.resolve("keys.env");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)));
        Map<String, String> made = new java.util.HashMap<>();
        for (String line : Files.readAllLines(keys)) {
            made.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
        for (String key : List.of("redis-password", "auth-keys", "admin-api-key", "gateway-api-keys")) {
            assertTrue(made.getOrDefault(key, "").matches("[0-9a-f]{64}"), key + " is a random 256-bit key");
        }
        assertEquals("redis://:" + made.get("redis-password") + "@redis:6379", made.get("redis-url"));
        for (PodTemplateSpec t : podTemplates(b)) {
            for (Container each : t.getSpec().getContainers()) {
                for (EnvVar e : each.getEnv() == null ? List.<EnvVar>of() : each.getEnv()) {
                    if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null
                            && !Boolean.TRUE.equals(e.getValueFrom().getSecretKeyRef().getOptional())) {
                        assertTrue(made.containsKey(e.getValueFrom().getSecretKeyRef().getKey()),
                                "make-keys writes " + e.getValueFrom().getSecretKeyRef().getKey());
                    }
                }
            }
        }
    }
}
