package io.dynamobackup.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LabelSelectorSyntaxTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      sharding.dynamobackup.io/key=shard-a                  | sharding.dynamobackup.io/key
      sharding.dynamobackup.io/key==shard-a                 | sharding.dynamobackup.io/key
      sharding.dynamobackup.io/key != shard-b               | sharding.dynamobackup.io/key
      sharding.dynamobackup.io/key                          | sharding.dynamobackup.io/key
      !sharding.dynamobackup.io/key                         | sharding.dynamobackup.io/key
      sharding.dynamobackup.io/key in (shard-a, shard-b)    | sharding.dynamobackup.io/key
      team notin (a),tier=gold                              | team;tier
      team=                                                 | team
      replicas>2,team                                       | replicas;team
      """)
  void keysOfAValidSelectorInOrder(String selector, String keys) {
    assertThat(LabelSelectorSyntax.keys(selector)).containsExactlyElementsOf(List.of(keys.split(";")));
  }

  @ParameterizedTest(name = "[{index}] '{0}'")
  @CsvSource(delimiter = '|', textBlock = """
      'sharding.dynamobackup.io/key=shard a'         | 'sharding.dynamobackup.io/key=shard a' is not a label requirement
      '=shard-a'                                     | '=shard-a' is not a label requirement
      'team in ()'                                   | 'team in ()' is not a label requirement
      'team in (a, b'                                | unbalanced parentheses: a value set is not closed
      'team in (a))'                                 | unbalanced parentheses at character 12
      'team=a,,tier=b'                               | '' is not a label requirement
      'Sharding.Example.io/key=a'                    | 'Sharding.Example.io/key=a' is not a label requirement
      '-team=a'                                      | '-team=a' is not a label requirement
      'team=a-'                                      | 'team=a-' is not a label requirement
      '!team=a'                                      | '!team=a' is not a label requirement
      'team=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' | is not a label requirement
      ' '                                            | the selector is empty
      """)
  void aMalformedSelectorIsRefusedNamingTheRequirement(String selector, String message) {
    assertThatThrownBy(() -> LabelSelectorSyntax.keys(selector)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
