package io.twa4j.run.soup;

import io.twa4j.core.train.Evaluation;
import java.util.List;

/**
 * What every soup starts from: the ingredients, and each one evaluated as it is (its own
 * BatchNorm statistics) on the held-out and the test images.
 *
 * @param ingredients the models, in the order given
 * @param heldOut each ingredient's evaluation on the held-out images
 * @param test each ingredient's evaluation on the test images
 */
public record SoupInputs(Ingredients ingredients, List<Evaluation> heldOut, List<Evaluation> test) {

    /** The ingredients' indices from the best held-out accuracy down (ties: the earlier given first). */
    public List<Integer> byHeldOutAccuracy() {
        List<Integer> order = new java.util.ArrayList<>();
        for (int i = 0; i < ingredients.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> Double.compare(heldOut.get(b).top1(), heldOut.get(a).top1()));
        return order;
    }
}
