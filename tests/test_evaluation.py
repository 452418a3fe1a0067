"""course_utils.evaluation: the "did it work?" classifier and class accuracy."""

import math

import pytest
import torch
from torch import nn

from course_utils import evaluation
from course_utils.data import sources, transforms
from course_utils.sd import adherence


class BrightnessClassifier(nn.Module):
    """A stand-in classifier: an image filled with value c/10 is "class c"."""

    def __init__(self):
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(1))

    def forward(self, images):
        classes = (images.mean(dim=(1, 2, 3)) * 10).round().long().clamp(0, 9)
        return nn.functional.one_hot(classes, 10).float()


def images_of(classes):
    return torch.tensor(classes, dtype=torch.float32).view(-1, 1, 1, 1).expand(-1, 1, 32, 32) / 10


def test_classifier_shape():
    logits = evaluation.build_classifier(num_classes=10, width=4)(torch.rand(3, 1, 32, 32))
    assert logits.shape == (3, 10)


def test_class_accuracy_counts_per_class():
    labels = [0, 0, 0, 0, 1, 1, 2]
    predicted = [0, 0, 0, 5, 1, 7, 2]  # class 0: 3/4, class 1: 1/2, class 2: 1/1
    result = evaluation.class_accuracy(BrightnessClassifier(), images_of(predicted), labels)
    assert result.per_class[:3] == (0.75, 0.5, 1.0) and result.counts[:3] == (4, 2, 1)
    assert math.isnan(result.per_class[3]) and result.counts[3] == 0
    assert result.overall == pytest.approx(5 / 7)
    table = result.table()
    assert "overall" in table and "75.0%" in table
    assert len(table.splitlines()) == 4  # classes 0, 1, 2 and the overall line; empty classes are left out


def test_trained_classifier_beats_chance_on_real_test_images():
    train = transforms.to_training_tensors(sources.load_fashion_mnist("train"))
    test_images, test_labels = transforms.to_training_tensors(sources.load_fashion_mnist("test"))
    classifier = evaluation.train_classifier(train, steps=120, batch_size=32, learning_rate=5e-3, width=8,
                                             device="cpu")
    accuracy = evaluation.class_accuracy(classifier, (test_images + 1) / 2, test_labels).overall
    assert 0.5 < accuracy <= 1.0  # chance is 0.1
    assert not classifier.training


def test_inputs_in_the_wrong_range_or_shape_name_the_fix():
    classifier = BrightnessClassifier()
    with pytest.raises(ValueError, match=r"map \[−1, 1\] tensors with \(images \+ 1\) / 2"):
        evaluation.predict_classes(classifier, torch.full((2, 1, 32, 32), -0.5))
    with pytest.raises(ValueError, match=r"\(N, 1, H, W\)"):
        evaluation.predict_classes(classifier, torch.rand(2, 3, 32, 32))
    with pytest.raises(ValueError, match="one label per image"):
        evaluation.class_accuracy(classifier, torch.rand(2, 1, 32, 32), [0, 1, 2])
    with pytest.raises(ValueError, match="at least one image"):
        evaluation.class_accuracy(classifier, torch.rand(0, 1, 32, 32), [])


def test_train_classifier_settings_name_the_fix():
    images, labels = torch.rand(20, 1, 32, 32) * 2 - 1, torch.arange(20) % 10
    with pytest.raises(ValueError, match="use a smaller batch_size"):
        evaluation.train_classifier((images, labels), steps=1, batch_size=64, device="cpu")
    with pytest.raises(ValueError, match="num_classes=max label"):
        evaluation.train_classifier((images, labels), steps=1, batch_size=4, num_classes=5, device="cpu")
    with pytest.raises(ValueError, match="steps=0 must be a positive int"):
        evaluation.train_classifier((images, labels), steps=0, device="cpu")
    with pytest.raises(ValueError, match="width=0"):
        evaluation.build_classifier(width=0)


def test_class_prompts_are_class_major_captions():
    prompts, labels = adherence.class_prompts(2)
    assert labels.tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]
    assert prompts[:3] == ["a handwritten digit zero", "a handwritten digit zero", "a handwritten digit one"]
    prompts, labels = adherence.class_prompts(1, "the number {numeral}", words=tuple("abcdefghij"))
    assert prompts[7] == "the number 7" and labels.tolist() == list(range(10))
    with pytest.raises(ValueError, match="per_class=0"):
        adherence.class_prompts(0)


def test_generated_classes_reads_rgb_images_at_the_classifiers_size():
    shades = torch.tensor([0.0, 0.3, 0.9]).view(-1, 1, 1, 1).expand(-1, 3, 64, 64)  # (3, 3, 64, 64) in [0, 1]
    assert evaluation.generated_classes(BrightnessClassifier(), shades).tolist() == [0, 3, 9]
    with pytest.raises(ValueError, match="multiple of 32"):
        evaluation.generated_classes(BrightnessClassifier(), torch.rand(2, 3, 40, 40))
