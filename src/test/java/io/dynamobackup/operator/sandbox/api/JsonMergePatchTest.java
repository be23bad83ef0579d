package io.dynamobackup.operator.sandbox.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynamobackup.operator.support.UnitTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The examples of RFC 7386, appendix A. */
@UnitTest
class JsonMergePatchTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest(name = "{0} + {1} = {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "{'a':'b'}              | {'a':'c'}            | {'a':'c'}",
      "{'a':'b'}              | {'b':'c'}            | {'a':'b','b':'c'}",
      "{'a':'b'}              | {'a':null}           | {}",
      "{'a':'b','b':'c'}      | {'a':null}           | {'b':'c'}",
      "{'a':['b']}            | {'a':'c'}            | {'a':'c'}",
      "{'a':'c'}              | {'a':['b']}          | {'a':['b']}",
      "{'a':{'b':'c'}}        | {'a':{'b':'d','c':null}} | {'a':{'b':'d'}}",
      "{'a':[{'b':'c'}]}      | {'a':[1]}            | {'a':[1]}",
      "['a','b']              | ['c','d']            | ['c','d']",
      "{'a':'b'}              | ['c']                | ['c']",
      "{'a':'foo'}            | null                 | null",
      "{'a':'foo'}            | 'bar'                | 'bar'",
      "{'e':null}             | {'a':1}              | {'e':null,'a':1}",
      "[1,2]                  | {'a':'b','c':null}   | {'a':'b'}",
      "{}                     | {'a':{'bb':{'ccc':null}}} | {'a':{'bb':{}}}",
  })
  void rfc7386Examples(String target, String patch, String expected) throws Exception {
    assertThat(JsonMergePatch.apply(read(target), read(patch))).isEqualTo(read(expected));
  }

  @ParameterizedTest(name = "conditions replace, never append: {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "{'status':{'conditions':[{'type':'Ready'},{'type':'Creating'}]}} | {'status':{'conditions':[{'type':'Ready'}]}}"
          + " | {'status':{'conditions':[{'type':'Ready'}]}}",
      "{'metadata':{'finalizers':['x']}} | {'metadata':{'finalizers':[]}} | {'metadata':{'finalizers':[]}}",
  })
  void listsAreReplacedWhole(String target, String patch, String expected) throws Exception {
    assertThat(JsonMergePatch.apply(read(target), read(patch))).isEqualTo(read(expected));
  }

  static com.fasterxml.jackson.databind.JsonNode read(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }
}
