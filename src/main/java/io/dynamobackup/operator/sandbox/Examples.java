package io.dynamobackup.operator.sandbox;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoRestore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The manifests of examples/: from a directory when there is one, else the copies bundled in the jar. */
public final class Examples {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private Examples() {}

  /**
   * Every object in every *.yaml file of the directory, in file-name order. Subfolders are not read: they hold what
   * is not for this operator's API (examples/argocd, examples/iam), as kubectl apply -f without -R skips them too.
   */
  public static List<HasMetadata> load(Path directory) {
    if (Files.isDirectory(directory)) {
      return read(directory);
    }
    var bundled = Examples.class.getClassLoader().getResource("examples");
    if (bundled == null) {
      return List.of();
    }
    try {
      URI uri = bundled.toURI();
      if (!"jar".equals(uri.getScheme())) {
        return read(Path.of(uri));
      }
      try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
        return read(jar.getPath("/examples"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<HasMetadata> read(Path directory) {
    SERIALIZATION.registerKubernetesResource(DynamoBackup.class);
    SERIALIZATION.registerKubernetesResource(DynamoBackupSchedule.class);
    SERIALIZATION.registerKubernetesResource(DynamoRestore.class);
    List<HasMetadata> objects = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        Object parsed = SERIALIZATION.unmarshal(Files.readString(file));
        if (parsed instanceof List<?> list) {
          list.forEach(o -> objects.add((HasMetadata) o));
        } else if (parsed instanceof HasMetadata object) {
          objects.add(object);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read examples from " + directory, e);
    }
    return objects;
  }
}
