package io.dynamobackup.operator.build;

import io.dynamobackup.operator.api.DynamoBackup;
import io.dynamobackup.operator.api.DynamoBackupPolicy;
import io.dynamobackup.operator.api.DynamoBackupSchedule;
import io.dynamobackup.operator.api.DynamoRestore;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.File;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Writes the CRD YAML for every custom resource class. Build tooling, run by Maven at process-test-classes; the
 * copy checked in under crds/ must equal its output (CrdIsUpToDateTest).
 */
public final class CrdGeneration {

  public static final List<Class<? extends CustomResource<?, ?>>> KINDS = List.of(DynamoBackup.class,
      DynamoBackupSchedule.class, DynamoRestore.class, DynamoBackupPolicy.class);

  private CrdGeneration() {}

  public static void main(String[] args) {
    File outputDir = new File(args.length > 0 ? args[0] : "crds");
    generate(outputDir);
  }

  public static void generate(File outputDir) {
    outputDir.mkdirs();
    new CRDGenerator()
        .inOutputDir(outputDir)
        .forCRDVersions("v1")
        .withPostProcessor(new PrinterColumnsInDeclaredOrder())
        .customResourceClasses(KINDS.toArray(Class[]::new))
        .generate();
  }

  /** The generator sorts printer columns by JSON path; kubectl shows them in the order the class declares. */
  private static final class PrinterColumnsInDeclaredOrder implements CRDPostProcessor {
    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
      var definition = (CustomResourceDefinition) crd;
      for (var kind : KINDS) {
        var declared = Arrays.stream(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
        if (!definition.getSpec().getNames().getKind().equals(HasMetadata.getKind(kind))) {
          continue;
        }
        for (var version : definition.getSpec().getVersions()) {
          List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
          if (columns != null) {
            columns.sort(Comparator.comparingInt(column -> declared.indexOf(column.getName())));
          }
        }
      }
      return crd;
    }
  }
}
