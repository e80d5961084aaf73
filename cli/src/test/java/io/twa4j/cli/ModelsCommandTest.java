package io.twa4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twa4j.vision.models.ModelZoo;
import org.junit.jupiter.api.Test;

class ModelsCommandTest {

    @Test
    void jsonListsEveryModelWithItsCount() throws Exception {
        CliRunner.Result result = CliRunner.run("models", "--classes", "10", "--json");
        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode rows = new ObjectMapper().readTree(result.out());
        assertThat(rows).hasSize(ModelZoo.names().size());
        for (JsonNode row : rows) {
            assertThat(row.get("classes").asInt()).isEqualTo(10);
            assertThat(row.get("parameters").asLong()).isPositive();
        }
        // torchvision's resnet18 with a 10-class head: 11,689,512 − 513,000 + 5,130
        JsonNode resnet18 = null;
        for (JsonNode row : rows) {
            if (row.get("name").asText().equals("resnet18")) {
                resnet18 = row;
            }
        }
        assertThat(resnet18).isNotNull();
        assertThat(resnet18.get("parameters").asLong()).isEqualTo(11_181_642L);
    }
}
