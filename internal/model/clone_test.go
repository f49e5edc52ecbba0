package model_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/model/modeltest"
)

func TestCloneSharesNothing(t *testing.T) {
	st := modeltest.Large("copy", 3, 3)
	st.APIs[0].Authorizer = &model.Authorizer{Name: "Auth", IdentitySources: []string{"route.request.header.Auth"}}
	st.Tables[0].SortKey = &model.Key{Name: "at", Type: model.AttributeNumber}
	kept := []model.Kept{{Part: model.PartMain, LogicalID: "Src1", Attributes: []model.Field{{Key: "Condition", Value: json.RawMessage(`"IsProd"`)}}, Properties: []model.Field{{Key: "Tags", Value: json.RawMessage(`[{"Key":"a","Value":"b"}]`)}}}}
	st.APIs[0].Kept = kept
	st.APIs[0].Routes[0].Kept = []model.Kept{{Part: model.PartPermission, LogicalID: "Perm1"}}
	st.Functions[0].Kept = []model.Kept{{Part: model.PartRole, Properties: []model.Field{{Key: "Path", Value: json.RawMessage(`"/x/"`)}}}}
	st.Tables[0].Kept = []model.Kept{{Properties: []model.Field{{Key: "StreamSpecification", Value: json.RawMessage(`{"StreamViewType":"NEW_IMAGE"}`)}}}}
	st.Others = []*model.Other{{Node: model.Node{ID: "oth1", Name: "Queue"}, Type: "AWS::SQS::Queue", Resource: json.RawMessage(`{"Type":"AWS::SQS::Queue"}`)}}
	st.Sections = []model.Field{{Key: "Parameters", Value: json.RawMessage(`{"Env":{"Type":"String"}}`)}}
	st.ID, st.Revision = 7, 3
	c := st.Clone()
	if !reflect.DeepEqual(c, st) {
		t.Fatal("the copy differs")
	}
	data, _ := json.Marshal(st)
	back, err := model.ParseStack(data)
	if err != nil {
		t.Fatal(err)
	}
	back.ID, back.Revision = 7, 3
	if !reflect.DeepEqual(c, back) {
		t.Fatal("the copy differs from a JSON round trip")
	}
	assertDisjoint(t, "Stack", reflect.ValueOf(c), reflect.ValueOf(st))
}

// assertDisjoint fails if a and b share any pointer, slice or map.
func assertDisjoint(t *testing.T, path string, a, b reflect.Value) {
	t.Helper()
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return
		}
		if a.Pointer() == b.Pointer() {
			t.Fatalf("%s: the copy shares a pointer", path)
		}
		assertDisjoint(t, path, a.Elem(), b.Elem())
	case reflect.Slice:
		if a.Len() == 0 {
			return
		}
		if a.Pointer() == b.Pointer() {
			t.Fatalf("%s: the copy shares a slice", path)
		}
		for i := range a.Len() {
			assertDisjoint(t, path+"[]", a.Index(i), b.Index(i))
		}
	case reflect.Map:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			t.Fatalf("%s: the copy shares a map", path)
		}
	case reflect.Struct:
		for i := range a.NumField() {
			assertDisjoint(t, path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i))
		}
	}
}
