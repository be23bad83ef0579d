package io.dynamobackup.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/** The namespaces a policy covers, and what objects there may touch. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.namespaces) || has(self.namespaceSelector)",
    message = "a policy names namespaces, selects them by label, or both")
public class DynamoBackupPolicySpec extends LenientlyRead {

  @JsonPropertyDescription("Names of the namespaces this policy covers (in addition to namespaceSelector).")
  public List<String> namespaces;

  @JsonPropertyDescription("Label selector of the namespaces this policy covers (in addition to namespaces). An"
      + " empty selector ({}) covers every namespace.")
  public LabelSelector namespaceSelector;

  @JsonPropertyDescription("Table name patterns the covered namespaces may back up, adopt, delete and restore"
      + " into: '*' matches any run of characters, '?' one character (e.g. orders-*).")
  @Required
  public List<String> tables;

  @JsonPropertyDescription("AWS regions the covered namespaces may use; absent: any region.")
  public List<String> regions;

  @JsonPropertyDescription("IAM role assumed (STS AssumeRole) for the covered namespaces' tables; absent: the"
      + " operator's own credentials. Backup ARNs must then be of this role's account.")
  @Pattern("^arn:aws[a-z-]*:iam::\\d{12}:role/.+$")
  public String roleArn;

  @JsonPropertyDescription("Whether covered namespaces may adopt existing backups with spec.backupArn.")
  @Default("false")
  public Boolean allowAdoption;

  @JsonPropertyDescription("Whether deleting an object (or its expiry) may delete its backup in AWS; false: the"
      + " object goes and the backup is kept.")
  @Default("true")
  public Boolean allowDeletion;

  public DynamoBackupPolicySpec() {
    super("spec");
  }
}
