package io.dynamobackup.operator.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.support.UnitTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The package tree shows the architecture only if its imports go one way. The JDK's own jdeps reads the compiled
 * classes (no library needed); a cycle between packages (strongly connected components of more than one package)
 * fails with the packages and the edges that close it.
 */
@UnitTest
class PackageGraphTest {

  static final String ROOT = "io.dynamobackup.operator";
  private static final Pattern EDGE = Pattern.compile("^\\s*(" + Pattern.quote(ROOT) + "[\\w.]*)\\s+->\\s+("
      + Pattern.quote(ROOT) + "[\\w.]*)\\s");

  @Test
  void packagesImportEachOtherOneWayOnly() {
    Map<String, Set<String>> graph = packageGraph();
    assertThat(graph).as("jdeps found the operator's packages").containsKeys(ROOT + ".reconcile", ROOT + ".aws");
    List<Set<String>> cycles = cycles(graph);
    assertThat(cycles).as("package cycles (each set imports itself round): %s", describe(cycles, graph)).isEmpty();
  }

  @Test
  void theCycleFinderFindsCycles() {
    Map<String, Set<String>> graph = new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"),
        "d", Set.of("a")));
    assertThat(cycles(graph)).containsExactly(new TreeSet<>(Set.of("a", "b", "c")));
  }

  static Map<String, Set<String>> packageGraph() {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("no jdeps in this"
        + " JDK"));
    var out = new StringWriter();
    var err = new StringWriter();
    int exit = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:package", "-filter:none",
        "target/classes");
    assertThat(exit).as(err.toString()).isZero();
    Map<String, Set<String>> graph = new TreeMap<>();
    for (String line : out.toString().split("\n")) {
      var edge = EDGE.matcher(line);
      if (edge.find() && !edge.group(1).equals(edge.group(2))) {
        graph.computeIfAbsent(edge.group(1), k -> new TreeSet<>()).add(edge.group(2));
        graph.computeIfAbsent(edge.group(2), k -> new TreeSet<>());
      }
    }
    return graph;
  }

  /** Tarjan's strongly connected components, those of more than one package. */
  static List<Set<String>> cycles(Map<String, Set<String>> graph) {
    var state = new Object() {
      int next;
      final Map<String, Integer> index = new HashMap<>();
      final Map<String, Integer> low = new HashMap<>();
      final List<String> stack = new ArrayList<>();
      final List<Set<String>> found = new ArrayList<>();

      void visit(String node) {
        index.put(node, next);
        low.put(node, next++);
        stack.add(node);
        for (String to : graph.getOrDefault(node, Set.of())) {
          if (!index.containsKey(to)) {
            visit(to);
            low.put(node, Math.min(low.get(node), low.get(to)));
          } else if (stack.contains(to)) {
            low.put(node, Math.min(low.get(node), index.get(to)));
          }
        }
        if (low.get(node).equals(index.get(node))) {
          Set<String> component = new TreeSet<>();
          String member;
          do {
            member = stack.remove(stack.size() - 1);
            component.add(member);
          } while (!member.equals(node));
          if (component.size() > 1) {
            found.add(component);
          }
        }
      }
    };
    graph.keySet().forEach(node -> {
      if (!state.index.containsKey(node)) {
        state.visit(node);
      }
    });
    return state.found;
  }

  private static String describe(List<Set<String>> cycles, Map<String, Set<String>> graph) {
    StringBuilder text = new StringBuilder();
    for (Set<String> cycle : cycles) {
      for (String from : cycle) {
        graph.get(from).stream().filter(cycle::contains)
            .forEach(to -> text.append("\n  ").append(from).append(" -> ").append(to));
      }
    }
    return text.toString();
  }
}
