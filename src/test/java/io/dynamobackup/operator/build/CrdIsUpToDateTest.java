package io.dynamobackup.operator.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.support.UnitTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** crds/ is generated from the api classes; a change to them without regenerating fails here. */
@UnitTest
class CrdIsUpToDateTest {

  static final String HOW_TO_UPDATE = "crds/ is out of date with the api classes; regenerate it with:"
      + " mvn -q -DskipTests process-test-classes && cp target/classes/META-INF/fabric8/*.yml crds/";

  @Test
  void checkedInCrdsEqualTheGeneratedOnes(@TempDir Path generated) throws IOException {
    CrdGeneration.generate(generated.toFile());

    try (Stream<Path> files = Files.list(generated)) {
      var names = files.map(p -> p.getFileName().toString()).sorted().toList();
      try (Stream<Path> checkedIn = Files.list(Path.of("crds"))) {
        assertThat(checkedIn.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("-v1.yml")).sorted())
            .as(HOW_TO_UPDATE)
            .containsExactlyElementsOf(names);
      }
      for (String name : names) {
        assertThat(Files.readString(Path.of("crds", name))).as(HOW_TO_UPDATE + " (" + name + ")")
            .isEqualTo(Files.readString(generated.resolve(name)));
      }
    }
  }

  @Test
  void identityFieldsCarryImmutabilityRules() throws IOException {
    String crd = Files.readString(Path.of("crds", "dynamobackups.dynamobackup.io-v1.yml"));

    for (String field : new String[] {"tableName", "backupName", "backupArn", "region"}) {
      assertThat(crd).contains(field + " is immutable");
    }
    assertThat(crd).contains("rule: \"self == oldSelf\"", "subresources:", "status: {}", "- \"ddbb\"");
  }

  @Test
  void restoreNamesExactlyOneSourceAndKeepsItsIdentity() throws IOException {
    String crd = Files.readString(Path.of("crds", "dynamorestores.dynamobackup.io-v1.yml"));

    for (String field : new String[] {"targetTableName", "backupRef", "backupArn", "pointInTime", "region"}) {
      assertThat(crd).contains(field + " is immutable");
    }
    assertThat(crd).contains("set exactly one of spec.backupRef, spec.backupArn and spec.pointInTime",
        "set exactly one of pointInTime.sourceTableName and pointInTime.sourceTableArn", "- \"targetTableName\"",
        "subresources:", "status: {}", "- \"ddbr\"");
  }
}
