import { useActionData } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";

/** A field's element id from its name, so that an error summary can link to it: "qty.abc" → "field-qty-abc". */
export function fieldId(name: string): string {
  return `field-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

export interface FieldProps extends React.InputHTMLAttributes<HTMLInputElement> {
  label: string;
  name: string;
  errors?: string[];
  hint?: string;
  /** Shows 任意 beside the label (a `required` field shows 必須). */
  optional?: boolean;
}

/**
 * 必須 / 任意 beside a label (SPEC §3). Outside the <label>, so the field's accessible name stays the label
 * of the customer's screens; `required` (aria-required) tells assistive technology.
 */
export function Need({ required, optional }: { required?: boolean; optional?: boolean }) {
  if (required) return <span className="need need-required">必須</span>;
  if (optional) return <span className="need need-optional">任意</span>;
  return null;
}

/**
 * A field's messages until the user changes it: a corrected field stops saying it is wrong (the server
 * checks again on the next submit). A new answer of the server shows its messages again.
 */
export function useErrorsUntilEdited(errors: string[] | undefined) {
  const [edited, setEdited] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new array of messages is a new answer
  useEffect(() => setEdited(false), [errors]);
  const shown = edited ? undefined : errors;
  return { shown, onEdit: () => setEdited(true) };
}

/** A labelled input with its errors right below it, tied together for screen readers. */
export function Field({ label, name, errors, hint, id, optional, onChange, ...input }: FieldProps) {
  const inputId = id ?? fieldId(name);
  const errorId = `${inputId}-error`;
  const hintId = `${inputId}-hint`;
  const { shown, onEdit } = useErrorsUntilEdited(errors);
  const describedBy = [hint ? hintId : null, shown?.length ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <div className="field-label">
        <label htmlFor={inputId}>{label}</label>
        <Need required={input.required} optional={optional} />
      </div>
      <input
        id={inputId}
        name={name}
        aria-invalid={shown?.length ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => {
          onEdit();
          onChange?.(e);
        }}
        {...input}
      />
      {hint ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      <ErrorList id={errorId} errors={shown} />
    </div>
  );
}

export function ErrorList({ id, errors }: { id?: string; errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <ul id={id} className="field-errors">
      {errors.map((e) => (
        <li key={e}>{e}</li>
      ))}
    </ul>
  );
}

/**
 * The message above a form when a submission was refused. It takes the focus when it appears, so keyboard
 * and screen-reader users start from what went wrong; with `fieldErrors` and `labels` it lists each field's
 * messages as links to the field (an error summary).
 */
export function FormAlert({
  message,
  fieldErrors,
  labels,
}: {
  message?: string;
  fieldErrors?: Partial<Record<string, string[]>>;
  /** The label of each field by name, in the form's order; fields without one are not listed. */
  labels?: Record<string, string>;
}) {
  const ref = useRef<HTMLDivElement>(null);
  // One link per field, named by its label: the message itself stays beside the field only (said once).
  const listed = Object.entries(labels ?? {})
    .filter(([name]) => fieldErrors?.[name]?.length)
    .map(([name, label]) => ({ name, label }));
  const text = message ?? (listed.length ? "入力内容をご確認ください。" : undefined);
  // Every answer of the route's action (a new object each submit) brings the focus back here.
  const answer = useActionData();
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus again on each new answer
  useEffect(() => {
    if (text) ref.current?.focus();
  }, [text, answer]);
  if (!text) return null;
  return (
    <div className="alert" role="alert" tabIndex={-1} ref={ref}>
      <p>{text}</p>
      {listed.length ? (
        <ul className="error-summary">
          {listed.map((e) => (
            <li key={e.name}>
              <a
                href={`#${fieldId(e.name)}`}
                onClick={(event) => {
                  // In place: a change of the URL's hash would be a navigation that forgets the answer.
                  const field = document.getElementById(fieldId(e.name));
                  if (!field) return;
                  event.preventDefault();
                  field.focus();
                  field.scrollIntoView({ block: "center" });
                }}
              >
                {e.label}の入力内容を確認する
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** 期間(開始) and 期間(終了) of a list's GET filter (`from`, `to`: dates), each with its messages. */
export function PeriodFields({
  params,
  errors,
}: {
  params: URLSearchParams;
  errors: Partial<Record<string, string[]>>;
}) {
  return (
    <>
      <Field
        label="期間(開始)"
        name="from"
        id="from"
        type="date"
        defaultValue={params.get("from") ?? ""}
        errors={errors.from}
      />
      <Field
        label="期間(終了)"
        name="to"
        id="to"
        type="date"
        defaultValue={params.get("to") ?? ""}
        errors={errors.to}
      />
    </>
  );
}

/** A labelled select (name = id) of [value, label] options, with its errors right below it. */
export function Select({
  id,
  label,
  options,
  value,
  errors,
}: {
  id: string;
  label: string;
  options: readonly (readonly [string, string])[];
  value: string;
  errors?: string[];
}) {
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={id}
        defaultValue={value}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={errors?.length ? errorId : undefined}
      >
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
      <ErrorList id={errorId} errors={errors} />
    </div>
  );
}
